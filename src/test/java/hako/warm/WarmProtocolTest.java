package hako.warm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** src/main/c/warm.h and {@link WarmProtocol} say the same numbers. */
class WarmProtocolTest {
    @Test
    void theHeaderAndTheJavaSideAgree() throws IOException {
        String header = Files.readString(Path.of("src/main/c/warm.h"));
        Map<String, Long> c = new HashMap<>();
        Matcher m = Pattern.compile("(?m)(?:#define\\s+|^\\s*)WARM_([A-Z_]+)\\s*=?\\s*(0x[0-9a-f]+|\\d+)u?").matcher(header);
        while (m.find()) c.put(m.group(1), Long.decode(m.group(2)));
        assertEquals(WarmProtocol.MAGIC, c.get("MAGIC").intValue());
        assertEquals(WarmProtocol.MAX_FDS, c.get("MAX_FDS").intValue());
        assertEquals(WarmProtocol.ACCEPT, c.get("ACCEPT").intValue());
        assertEquals(WarmProtocol.SPAWN, c.get("SPAWN").intValue());
        assertEquals(WarmProtocol.WAIT, c.get("WAIT").intValue());
        assertEquals(WarmProtocol.SIGNALS, c.get("SIGNALS").intValue());
        assertEquals(WarmProtocol.WINCH, c.get("WINCH").intValue());
        assertEquals(WarmProtocol.EXIT, c.get("EXIT").intValue());
        assertEquals(WarmProtocol.EXEC_FD, c.get("EXEC_FD").intValue());
        // struct warm_call: five uint32 fields
        Matcher call = Pattern.compile("struct warm_call \\{\\s*uint32_t ([a-z_, ]+);").matcher(header);
        call.find();
        assertEquals(WarmProtocol.CALL_HEADER, 4 * call.group(1).split(",").length);
    }
}
