package hako.security;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PasswdTest {
    private static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
            + "empty:x:7:7:::/bin/sh\n";

    @Test
    void theUsersHomeOrSlashAsRuncHasIt() {
        assertEquals("/root", Passwd.homeIn(PASSWD, 0));
        assertEquals("/nonexistent", Passwd.homeIn(PASSWD, 65534));
        assertEquals("/", Passwd.homeIn(PASSWD, 1000), "a user the file does not list");
        assertEquals("/", Passwd.homeIn(PASSWD, 7), "an empty home field");
    }

    @Test
    void homeIsAddedOnlyWhenTheEnvironmentHasNone() {
        List<String> given = List.of("PATH=/bin", "HOME=/srv");
        assertEquals(given, Passwd.withHome(given, "/nonexistent-root", 0));
        assertEquals(List.of("PATH=/bin", "HOME=/"), Passwd.withHome(List.of("PATH=/bin", "HOME="), "/nonexistent-root", 0));
    }
}
