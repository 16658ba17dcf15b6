package hako.stage;

import hako.stage.Op;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ProtocolTest {

    @Test
    void encodesABatchAsTheDocumentSays() {
        byte[] bytes = Protocol.encode(List.of(
                new Op.SetHostname("box"),
                new Op.Mount(null, "/p", "proc", 6, null, Op.IGNORE_MISSING),
                new Op.SetGroups(List.of(10L, 20L))));
        ByteBuffer expected = ByteBuffer.allocate(bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        expected.putInt(3);
        expected.putShort((short) Protocol.SETHOSTNAME).putShort((short) 0).putInt(1);
        expected.putInt(4).put("box\0".getBytes());
        expected.putShort((short) Protocol.MOUNT).putShort((short) Op.IGNORE_MISSING).putInt(5);
        expected.putInt(0);                                   // source: none
        expected.putInt(3).put("/p\0".getBytes());
        expected.putInt(5).put("proc\0".getBytes());
        expected.putInt(8).putLong(6);
        expected.putInt(0);                                   // data: none
        expected.putShort((short) Protocol.SETGROUPS).putShort((short) 0).putInt(1);
        expected.putInt(8).putInt(10).putInt(20);
        assertEquals(bytes.length, expected.position(), "length");
        assertArrayEquals(expected.array(), bytes);
    }

    @Test
    void cloneIntoTheCgroupNamesItsDescriptorByIndex() {
        for (int index : new int[] {2, Op.Clone.NO_CGROUP}) {
            ByteBuffer in = ByteBuffer.wrap(Protocol.encode(List.of(new Op.Clone(0x20000, index))))
                    .order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(1, in.getInt());
            assertEquals(Protocol.CLONE, in.getShort());
            in.getShort();
            assertEquals(2, in.getInt());
            assertEquals(8, in.getInt());
            assertEquals(0x20000, in.getLong());
            assertEquals(8, in.getInt());
            assertEquals(index >= 0 ? index : Protocol.NO_FD, in.getLong(), "the fd's index, or ~0 for none");
        }
    }

    @Test
    void stringVectorsAreNulTerminatedStringsOneAfterAnother() {
        byte[] bytes = Protocol.encode(List.of(new Op.Exec(List.of("/bin/sh"), List.of("sh", "-c"), List.of())));
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, in.getInt());
        assertEquals(Protocol.EXEC, in.getShort());
        in.getShort();
        assertEquals(3, in.getInt());
        assertEquals(8, in.getInt());
        byte[] path = new byte[8];
        in.get(path);
        assertArrayEquals("/bin/sh\0".getBytes(), path);
        assertEquals(6, in.getInt());
        byte[] argv = new byte[6];
        in.get(argv);
        assertArrayEquals("sh\0-c\0".getBytes(), argv);
        assertEquals(0, in.getInt());
        assertEquals(0, in.remaining());
    }

    /** The C header and this class must agree on every op code: the two sides of one protocol. */
    @Test
    void opCodesMatchTheStagesHeader() throws IOException, IllegalAccessException {
        String header = Files.readString(Path.of("src/main/c/protocol.h"));
        Map<String, Integer> c = new TreeMap<>();
        Matcher m = Pattern.compile("OP_([A-Z0-9_]+)\\s*=\\s*(\\d+)").matcher(header);
        while (m.find()) c.put(m.group(1), Integer.parseInt(m.group(2)));
        Map<String, Integer> java = new TreeMap<>();
        for (Field field : Protocol.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class
                    && !field.getName().equals("REPLY_SIZE")) {
                java.put(field.getName(), field.getInt(null));
            }
        }
        assertEquals(c, java);
    }

    /**
     * For every op, the kinds of the arguments Java encodes (u64, descriptor, string, string or
     * none, strv, u32v, bytes) are the ones the stage's op table decodes: the two sides agree on
     * argument signatures, not only on codes. Each op record is sampled by reflection.
     */
    @Test
    void argumentKindsMatchTheStagesOpTable() throws Exception {
        String stage = Files.readString(Path.of("src/main/c/stage.c"));
        Map<String, String> c = new TreeMap<>();
        Matcher m = Pattern.compile("\\[OP_([A-Z0-9_]+)\\]\\s*=\\s*\\{\\s*\"([a-z]*)\"").matcher(stage);
        while (m.find()) c.put(m.group(1), m.group(2));
        Map<Integer, String> names = new TreeMap<>();
        for (Field field : Protocol.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class && !field.getName().equals("REPLY_SIZE")) {
                names.put(field.getInt(null), field.getName());
            }
        }
        Map<String, String> java = new TreeMap<>();
        for (Class<?> type : Op.class.getPermittedSubclasses()) {
            Op op = (Op) sample(type);
            int code = ByteBuffer.wrap(Protocol.encode(List.of(op))).order(ByteOrder.LITTLE_ENDIAN).getShort(4);
            java.put(names.get(code), Protocol.argumentKinds(op));
        }
        assertEquals(c, java);
    }

    /** A record with a plain value in each component. */
    private static Object sample(Class<?> type) throws Exception {
        var components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = value(components[i].getType(), components[i].getGenericType());
        }
        return type.getDeclaredConstructor(types).newInstance(values);
    }

    private static Object value(Class<?> type, java.lang.reflect.Type generic) throws Exception {
        if (type == String.class) return "x";
        if (type == int.class) return 1;
        if (type == long.class) return 1L;
        if (type == boolean.class) return false;
        if (type == byte[].class) return new byte[8];
        if (type == java.util.BitSet.class) return new java.util.BitSet();
        if (type == List.class) {
            var element = ((java.lang.reflect.ParameterizedType) generic).getActualTypeArguments()[0];
            return List.of(element == Long.class ? (Object) 1L : "x");
        }
        if (type.isRecord()) return sample(type);
        throw new IllegalArgumentException("no sample value for " + type);
    }
}
