package hako.image;

import hako.toml.TomlTable;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One registries.conf file (containers-registries.conf(5), version 2) into a {@link RegistriesConf}:
 * {@code unqualified-search-registries}, and each {@code [[registry]]} with its prefix, location,
 * insecure, blocked, mirror-by-digest-only and {@code [[registry.mirror]]}s, checked as podman
 * checks them. Keys hako has no use for (short-name-mode, aliases, credential-helpers) are
 * skipped, as podman skips keys it does not know.
 */
final class RegistriesConfReader {
    private RegistriesConfReader() {}

    static RegistriesConf read(TomlTable file) {
        if (file.has("registries")) {
            throw file.error("registries", "this is registries.conf's version 1 ([registries.search], [registries.insecure], "
                    + "[registries.block]), which hako does not read: write unqualified-search-registries and [[registry]] tables "
                    + "(containers-registries.conf(5))");
        }
        Map<String, RegistryEntry> byPrefix = new LinkedHashMap<>();
        for (TomlTable table : file.tables("registry")) {
            RegistryEntry entry = entry(table);
            RegistryEntry before = byPrefix.putIfAbsent(entry.prefix(), entry);
            if (before != null) {
                throw table.error("prefix", "the prefix " + entry.prefix() + " is already the [[registry]] at " + before.where());
            }
        }
        List<String> search = file.strings("unqualified-search-registries");
        if (search != null) {
            for (String registry : search) {
                if (registry.isEmpty() || registry.contains("/")) {
                    throw file.error("unqualified-search-registries", "\"" + registry + "\" is not a registry host[:port]");
                }
            }
        }
        String where = search == null ? null : file.source() + ":" + file.line("unqualified-search-registries");
        return new RegistriesConf(List.copyOf(byPrefix.values()), search, where);
    }

    private static RegistryEntry entry(TomlTable table) {
        String location = location(table, "location");
        String prefix = location(table, "prefix");
        if (prefix == null) {
            if (location == null) throw table.error("location", "a [[registry]] needs a location or a prefix");
            prefix = location;
        } else if (prefix.contains("*")) {
            if (!prefix.startsWith("*.") || prefix.indexOf('*', 1) >= 0 || prefix.contains("/") || prefix.contains(":")) {
                throw table.error("prefix", "\"" + prefix + "\": a wildcard is only *.DOMAIN (*.example.com)");
            }
            if (location != null) throw table.error("location", "a prefix with a wildcard (" + prefix + ") takes no location");
        } else if (location == null) {
            location = prefix;
        }
        if (table.has("pull-from-mirror")) throw table.error("pull-from-mirror", "is a setting of a [[registry.mirror]], not of the registry");
        boolean byDigestOnly = table.bool("mirror-by-digest-only", false);
        List<RegistryEntry.Mirror> mirrors = new ArrayList<>();
        for (TomlTable mirror : table.tables("mirror")) {
            String mirrorLocation = location(mirror, "location");
            if (mirrorLocation == null) throw mirror.error("location", "a [[registry.mirror]] needs a location");
            RegistryEntry.PullFrom pullFrom = pullFrom(mirror);
            if (byDigestOnly && pullFrom != RegistryEntry.PullFrom.ALL) {
                throw mirror.error("pull-from-mirror", "cannot be set when its registry has mirror-by-digest-only");
            }
            mirrors.add(new RegistryEntry.Mirror(mirrorLocation, mirror.bool("insecure", false), pullFrom));
        }
        return new RegistryEntry(prefix, location, table.bool("insecure", false), table.bool("blocked", false), byDigestOnly, mirrors,
                table.source() + ":" + table.line());
    }

    /** A prefix or location: host[:port][/path], no scheme; a trailing slash is dropped, as podman does. */
    private static String location(TomlTable table, String key) {
        String value = table.string(key);
        if (value == null) return null;
        if (value.startsWith("http://") || value.startsWith("https://")) {
            throw table.error(key, "\"" + value + "\" has a URI scheme; write host[:port][/path] (insecure = true allows plain HTTP)");
        }
        while (value.endsWith("/")) value = value.substring(0, value.length() - 1);
        return value.isEmpty() ? null : value;
    }

    private static RegistryEntry.PullFrom pullFrom(TomlTable mirror) {
        String value = mirror.string("pull-from-mirror");
        return switch (value == null ? "" : value) {
            case "", "all" -> RegistryEntry.PullFrom.ALL;
            case "digest-only" -> RegistryEntry.PullFrom.DIGEST_ONLY;
            case "tag-only" -> RegistryEntry.PullFrom.TAG_ONLY;
            default -> throw mirror.error("pull-from-mirror", "\"" + value + "\" is not all, digest-only or tag-only");
        };
    }
}
