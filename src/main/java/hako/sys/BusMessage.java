package hako.sys;

import java.util.List;

/**
 * A message {@link SdBus#receive} took off the bus that no call was waiting for: a signal
 * (systemd's JobRemoved, the bus daemon's NameOwnerChanged), or a method call to this
 * connection, which {@link SdBus#reply} answers by its {@code cookie}.
 */
public record BusMessage(Kind kind, String sender, String path, String iface, String member, List<BusValue> body, long cookie) {
    public BusMessage {
        body = List.copyOf(body);
    }

    /** SD_BUS_MESSAGE_METHOD_CALL … SD_BUS_MESSAGE_SIGNAL, in sd-bus's order from 1. */
    public enum Kind {
        METHOD_CALL, METHOD_RETURN, METHOD_ERROR, SIGNAL;

        static Kind of(int type) {
            return values()[type - 1];
        }
    }

    public boolean isSignal(String iface, String member) {
        return kind == Kind.SIGNAL && iface.equals(this.iface) && member.equals(this.member);
    }

    public boolean isCall(String iface, String member) {
        return kind == Kind.METHOD_CALL && iface.equals(this.iface) && member.equals(this.member);
    }
}
