package hako.net;

/** An IPv4 address as its 32 bits. */
public record Ipv4(int bits) implements Comparable<Ipv4> {

    /** Reads dotted-quad notation strictly: four decimal parts 0..255, no leading zeros. */
    public static Ipv4 parse(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) throw new NetworkException("invalid IPv4 address \"" + text + "\"");
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                throw new NetworkException("invalid IPv4 address \"" + text + "\"");
            }
            int value = Integer.parseInt(part);
            if (value > 255) throw new NetworkException("invalid IPv4 address \"" + text + "\"");
            bits = (bits << 8) | value;
        }
        return new Ipv4(bits);
    }

    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (NetworkException e) {
            return false;
        }
    }

    public Ipv4 plus(long offset) {
        return new Ipv4((int) (Integer.toUnsignedLong(bits) + offset));
    }

    /** The address in network byte order, as netlink's address attributes carry it. */
    public byte[] bytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    public static Ipv4 fromBytes(byte[] bytes) {
        return new Ipv4(((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff));
    }

    public boolean isLoopback() {
        return (bits >>> 24) == 127;
    }

    @Override
    public int compareTo(Ipv4 other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + ((bits >>> 16) & 0xff) + "." + ((bits >>> 8) & 0xff) + "." + (bits & 0xff);
    }
}
