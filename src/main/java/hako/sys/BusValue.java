package hako.sys;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A D-Bus value with its type: the arguments of a call and what its reply holds. Each kind knows
 * its signature, so a message is marshalled from the values alone and a container's contents
 * are never given twice. Arrays, structs and variants nest: systemd's properties are a(sv), and
 * some of their values are arrays of structs themselves (DeviceAllow a(ss), IOReadBandwidthMax
 * a(st)).
 */
public sealed interface BusValue {
    /** The D-Bus signature of this value: "s", "au", "a(sv)". */
    default String signature() {
        return switch (this) {
            case Str ignored -> "s";
            case ObjectPath ignored -> "o";
            case Bool ignored -> "b";
            case Byte ignored -> "y";
            case Int16 ignored -> "n";
            case UInt16 ignored -> "q";
            case UInt32 ignored -> "u";
            case Int32 ignored -> "i";
            case UInt64 ignored -> "t";
            case Int64 ignored -> "x";
            case Double ignored -> "d";
            case Bytes ignored -> "ay";
            case Array array -> "a" + array.elementSignature();
            case Struct struct -> struct.fields().stream().map(BusValue::signature).collect(Collectors.joining("", "(", ")"));
            case DictEntry entry -> "{" + entry.key().signature() + entry.value().signature() + "}";
            case Variant ignored -> "v";
        };
    }

    record Str(String value) implements BusValue {}

    record ObjectPath(String value) implements BusValue {}

    record Bool(boolean value) implements BusValue {}

    record Byte(byte value) implements BusValue {}

    record Int16(short value) implements BusValue {}

    /** uint16: {@code value} holds its 16 bits. */
    record UInt16(short value) implements BusValue {}

    /** uint32: {@code value} holds its 32 bits (Integer.toUnsignedLong reads it). */
    record UInt32(int value) implements BusValue {}

    record Int32(int value) implements BusValue {}

    /** uint64: {@code value} holds its 64 bits; systemd's "infinity" is -1 here (UINT64_MAX). */
    record UInt64(long value) implements BusValue {}

    record Int64(long value) implements BusValue {}

    record Double(double value) implements BusValue {}

    /** ay, marshalled in one piece: AllowedCPUs and AllowedMemoryNodes are bit masks of this kind. */
    record Bytes(byte[] value) implements BusValue {
        public Bytes {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Bytes bytes && Arrays.equals(value, bytes.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Bytes[" + HexFormat.of().formatHex(value) + "]";
        }
    }

    /** An array of one element type, which an empty array needs too: the aux units of StartTransientUnit are a(sa(sv)). */
    record Array(String elementSignature, List<BusValue> items) implements BusValue {
        public Array {
            items = List.copyOf(items);
            for (BusValue item : items)
                if (!item.signature().equals(elementSignature))
                    throw new IllegalArgumentException("a " + item.signature() + " in an array of " + elementSignature);
        }
    }

    record Struct(List<BusValue> fields) implements BusValue {
        public Struct {
            fields = List.copyOf(fields);
            if (fields.isEmpty()) throw new IllegalArgumentException("D-Bus has no empty struct");
        }
    }

    /** One entry of a dictionary, a{KV}: what org.freedesktop.DBus.Properties.GetAll answers. */
    record DictEntry(BusValue key, BusValue value) implements BusValue {}

    record Variant(BusValue value) implements BusValue {}

    public static Array strings(List<String> values) {
        return new Array("s", values.stream().<BusValue>map(Str::new).toList());
    }

    public static Array uint32s(List<Integer> values) {
        return new Array("u", values.stream().<BusValue>map(UInt32::new).toList());
    }
}
