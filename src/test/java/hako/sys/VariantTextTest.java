package hako.sys;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** GVariant text as runc's org.systemd.property annotations write it, and what it refuses. */
class VariantTextTest {
    private static void reads(BusValue expected, String text) {
        assertEquals(expected, VariantText.parse(text), text);
    }

    private static void refuses(String message, String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VariantText.parse(text), text);
        assertEquals(message, e.getMessage());
    }

    @Test
    void numbersAreInt32OrDoubleUnlessTyped() {
        reads(new BusValue.Int32(15), "15");
        reads(new BusValue.Int32(-3), " -3 ");
        reads(new BusValue.Double(2.5), "2.5");
        reads(new BusValue.Double(1e3), "1e3");
        reads(new BusValue.UInt64(10_000_000), "uint64 10000000");
        reads(new BusValue.UInt64(-1), "uint64 18446744073709551615");
        reads(new BusValue.UInt64(255), "@t 0xff");
        reads(new BusValue.Byte((byte) 234), "byte 234");
        reads(new BusValue.Int16((short) -5), "int16 -5");
        reads(new BusValue.UInt16((short) 65535), "uint16 65535");
        reads(new BusValue.UInt32(-1), "uint32 4294967295");
        reads(new BusValue.Int64(Long.MIN_VALUE), "int64 -9223372036854775808");
        reads(new BusValue.Double(7), "double 7");
    }

    @Test
    void stringsBooleansAndPaths() {
        reads(new BusValue.Str("inactive-or-failed"), "'inactive-or-failed'");
        reads(new BusValue.Str("it's \"so\"\n\u00e9"), "\"it's \\\"so\\\"\\n\\u00e9\"");
        reads(new BusValue.Str(""), "string ''");
        reads(new BusValue.Bool(true), "true");
        reads(new BusValue.Bool(false), "boolean false");
        reads(new BusValue.ObjectPath("/org/x"), "objectpath '/org/x'");
    }

    @Test
    void arraysAndTuplesTakeTheirElementsType() {
        reads(BusValue.strings(List.of("crio.service", "b")), "['crio.service', \"b\"]");
        reads(BusValue.strings(List.of()), "@as []");
        reads(new BusValue.Array("t", List.of(new BusValue.UInt64(1), new BusValue.UInt64(2))), "[uint64 1, 2]");
        reads(new BusValue.Array("t", List.of(new BusValue.UInt64(1))), "@at [1]");
        reads(new BusValue.Bytes(new byte[] {1, 2}), "[byte 1, 2]");
        reads(new BusValue.Array("(st)", List.of(new BusValue.Struct(List.of(new BusValue.Str("/dev/sda"), new BusValue.UInt64(1000))))),
                "@a(st) [('/dev/sda', 1000)]");
        reads(new BusValue.Struct(List.of(new BusValue.Int32(1), new BusValue.Bool(true))), "(1, true,)");
    }

    @Test
    void whatItCannotReadIsSaidWithWhere() {
        refuses("an empty array needs its type, as @as [] (at character 1 of \"[ ]\")", "[ ]");
        refuses("-1 is out of the range of uint64 (at character 8 of \"uint64 -1\")", "uint64 -1");
        refuses("300 is out of the range of 0 to 255 (at character 6 of \"byte 300\")", "byte 300");
        refuses("4294967296 is out of the range of -2147483648 to 2147483647 (at character 1 of \"4294967296\")", "4294967296");
        refuses("\"infinity\" is not a value (at character 1 of \"infinity\")", "infinity");
        refuses("the string has no closing ' (at character 5 of \"'abc\")", "'abc");
        refuses("a string where t belongs (at character 8 of \"uint64 '5'\")", "uint64 '5'");
        refuses("unexpected text after the value (at character 4 of \"15 16\")", "15 16");
        refuses("2.5 is not a whole number, as t needs (at character 8 of \"uint64 2.5\")", "uint64 2.5");
        refuses("dictionaries are not supported (at character 1 of \"{'a': 1}\")", "{'a': 1}");
        refuses("variants are not supported (at character 1 of \"<1>\")", "<1>");
        refuses("maybes are not supported (at character 1 of \"just 5\")", "just 5");
        refuses("bytestrings are not supported (at character 1 of \"b'abc'\")", "b'abc'");
        refuses("a value is missing (at character 1 of \"\")", "");
    }
}
