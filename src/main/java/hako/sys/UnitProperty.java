package hako.sys;

import java.util.List;

/**
 * One property of a systemd unit as StartTransientUnit and SetUnitProperties take them: a name and
 * a typed value, marshalled as a struct (sv). systemd checks the type against the property's own
 * ("Cannot set property MemoryMax, or unknown property" otherwise), so the factories name the
 * kinds systemd's cgroup properties use.
 */
public record UnitProperty(String name, BusValue value) {
    public static UnitProperty string(String name, String value) {
        return new UnitProperty(name, new BusValue.Str(value));
    }

    public static UnitProperty bool(String name, boolean value) {
        return new UnitProperty(name, new BusValue.Bool(value));
    }

    /** A uint64 property; -1 is systemd's "infinity" (UINT64_MAX), as MemoryMax=infinity. */
    public static UnitProperty uint64(String name, long value) {
        return new UnitProperty(name, new BusValue.UInt64(value));
    }

    public static UnitProperty uint32(String name, int value) {
        return new UnitProperty(name, new BusValue.UInt32(value));
    }

    public static UnitProperty uint32s(String name, List<Integer> values) {
        return new UnitProperty(name, BusValue.uint32s(values));
    }

    public static UnitProperty strings(String name, List<String> values) {
        return new UnitProperty(name, BusValue.strings(values));
    }

    public static UnitProperty bytes(String name, byte[] value) {
        return new UnitProperty(name, new BusValue.Bytes(value));
    }

    /** This property as systemd reads it: (sv). */
    public BusValue.Struct toStruct() {
        return new BusValue.Struct(List.of(new BusValue.Str(name), new BusValue.Variant(value)));
    }

    /** Properties as an a(sv) argument. */
    public static BusValue.Array array(List<UnitProperty> properties) {
        return new BusValue.Array("(sv)", properties.stream().<BusValue>map(UnitProperty::toStruct).toList());
    }

    /** The inverse of {@link #array}: what a bus peer received, read back into properties. */
    public static List<UnitProperty> fromArray(BusValue value) {
        if (!(value instanceof BusValue.Array(String element, List<BusValue> items)) || !element.equals("(sv)"))
            throw new IllegalArgumentException("not a(sv): " + value.signature());
        return items.stream().map(item -> {
            List<BusValue> fields = ((BusValue.Struct) item).fields();
            return new UnitProperty(((BusValue.Str) fields.get(0)).value(), ((BusValue.Variant) fields.get(1)).value());
        }).toList();
    }
}
