package hako.cgroup;

import hako.sys.BusValue;
import hako.sys.UnitProperty;
import hako.sys.VariantText;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The unit properties a bundle asks for itself with the systemd driver, runc's way: each
 * annotation {@code org.systemd.property.NAME} with a GVariant text value is one more property
 * of StartTransientUnit, after hako's own and the limits' (so it may override them, as in runc).
 * podman writes {@code KillSignal} and {@code TimeoutStopUSec} on every container, CRI-O
 * {@code DefaultDependencies}, {@code After} and {@code CollectMode}.
 *
 * <p>As runc: a name is ASCII letters only, at least three; a time documented as {@code NAMESec}
 * ({@code TimeoutStopSec=5}) is given in seconds and asked as {@code NAMEUSec}, in microseconds;
 * a value that does not parse fails the create. Without the systemd driver there is no unit, and
 * these annotations are only annotations.
 */
final class SystemdAnnotations {
    static final String PREFIX = "org.systemd.property.";
    private static final long MICROS = 1_000_000;

    private SystemdAnnotations() {}

    /** The properties the annotations name, in the spec's order. */
    static List<UnitProperty> of(Map<String, String> annotations) {
        List<UnitProperty> properties = new ArrayList<>();
        for (var annotation : annotations.entrySet()) {
            if (!annotation.getKey().startsWith(PREFIX)) continue;
            String name = annotation.getKey().substring(PREFIX.length());
            String where = "config.json: annotations: " + annotation.getKey() + ": ";
            if (!name.matches("[A-Za-z]{3,}")) {
                throw new CgroupException(where + "a systemd property's name is ASCII letters only, at least three");
            }
            BusValue value;
            try {
                value = VariantText.parse(annotation.getValue());
            } catch (IllegalArgumentException e) {
                throw new CgroupException(where + "not a GVariant value: " + e.getMessage(), e);
            }
            if (name.matches(".*[a-z]Sec")) {
                name = name.substring(0, name.length() - "Sec".length()) + "USec";
                value = new BusValue.UInt64(microseconds(value, where));
            }
            properties.add(new UnitProperty(name, value));
        }
        return List.copyOf(properties);
    }

    /** Seconds, as any number type, in microseconds. */
    private static long microseconds(BusValue seconds, String where) {
        double value = switch (seconds) {
            case BusValue.Byte(byte y) -> Byte.toUnsignedInt(y);
            case BusValue.Int16(short n) -> n;
            case BusValue.UInt16(short q) -> Short.toUnsignedInt(q);
            case BusValue.Int32(int i) -> i;
            case BusValue.UInt32(int u) -> Integer.toUnsignedLong(u);
            case BusValue.Int64(long x) -> x;
            case BusValue.UInt64(long t) -> {
                if (t < 0 || t > Long.MAX_VALUE / MICROS) throw new CgroupException(where + "too many seconds");
                yield t;
            }
            case BusValue.Double(double d) -> d;
            default -> throw new CgroupException(where + "a time in seconds is a number, not " + seconds.signature());
        };
        if (value < 0 || value * MICROS >= Long.MAX_VALUE) throw new CgroupException(where + "not a time in seconds: " + value);
        return (long) (value * MICROS);
    }
}
