package hako.net;

/** An IPv4 network in CIDR notation: its first address and the prefix length. */
public record Subnet(Ipv4 network, int prefix) {

    public Subnet {
        if (prefix < 0 || prefix > 32) throw new NetworkException("invalid prefix length /" + prefix);
        if ((network.bits() & ~mask(prefix)) != 0) {
            throw new NetworkException("invalid subnet " + network + "/" + prefix + ": host bits are set (did you mean "
                    + new Ipv4(network.bits() & mask(prefix)) + "/" + prefix + "?)");
        }
    }

    /** Reads {@code A.B.C.D/N}; a bare address reads as /32. */
    public static Subnet parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) return new Subnet(Ipv4.parse(text), 32);
        String length = text.substring(slash + 1);
        if (length.isEmpty() || length.length() > 2 || !length.chars().allMatch(Character::isDigit)) {
            throw new NetworkException("invalid CIDR \"" + text + "\"");
        }
        Ipv4 network;
        try {
            network = Ipv4.parse(text.substring(0, slash));
        } catch (NetworkException e) {
            throw new NetworkException("invalid CIDR \"" + text + "\": " + e.getMessage().replace("invalid ", ""));
        }
        int prefix = Integer.parseInt(length);
        if (prefix > 32) throw new NetworkException("invalid CIDR \"" + text + "\": the prefix length must be 0..32");
        return new Subnet(network, prefix);
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public long size() {
        return 1L << (32 - prefix);
    }

    public boolean contains(Ipv4 address) {
        return (address.bits() & mask(prefix)) == network.bits();
    }

    public boolean overlaps(Subnet other) {
        int shorter = Math.min(prefix, other.prefix);
        return (network.bits() & mask(shorter)) == (other.network.bits() & mask(shorter));
    }

    /** The {@code n}th address of the subnet (0 is the network address itself). */
    public Ipv4 address(long n) {
        return network.plus(n);
    }

    public Ipv4 broadcast() {
        return network.plus(size() - 1);
    }

    @Override
    public String toString() {
        return network + "/" + prefix;
    }
}
