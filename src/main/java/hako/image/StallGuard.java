package hako.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notices a response body that stops coming. HttpClient's request timeout ends when the headers
 * arrive; a registry (or a proxy) that then sends nothing would hang a pull for ever. A ticker
 * looks at every guarded stream and interrupts the thread blocked in a read that has waited
 * longer than the limit; the read then fails with {@link Stalled}.
 */
final class StallGuard implements AutoCloseable {
    /** A read that waited longer than the limit. */
    static final class Stalled extends IOException {
        Stalled(Duration limit) {
            super("no data for " + limit.toSeconds() + " s");
        }
    }

    private final Duration limit;
    private final Set<Guarded> streams = ConcurrentHashMap.newKeySet();
    private final Thread ticker;

    StallGuard(Duration limit) {
        this.limit = limit;
        this.ticker = Thread.ofPlatform().daemon().name("hako-stall-guard").start(this::tick);
    }

    InputStream guard(InputStream in) {
        Guarded guarded = new Guarded(in);
        streams.add(guarded);
        return guarded;
    }

    private void tick() {
        long period = Math.max(20, Math.min(250, limit.toMillis() / 4));
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(period);
                long now = System.nanoTime();
                for (Guarded stream : streams) {
                    // under the stream's lock: the interrupt lands inside the read, never in what
                    // the reader does next (an interrupted FileChannel write closes the file)
                    synchronized (stream) {
                        if (stream.reader != null && now - stream.since > limit.toNanos()) {
                            stream.stalled = true;
                            stream.reader.interrupt();
                        }
                    }
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    @Override
    public void close() {
        ticker.interrupt();
    }

    private final class Guarded extends FilterInputStream {
        Thread reader;
        long since;
        volatile boolean stalled;

        Guarded(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            synchronized (this) {
                if (stalled) throw new Stalled(limit);
                since = System.nanoTime();
                reader = Thread.currentThread();
            }
            try {
                return in.read(buffer, offset, length);
            } catch (IOException e) {
                if (stalled) throw new Stalled(limit);
                throw e;
            } finally {
                synchronized (this) {
                    reader = null;
                    // the interrupt was ours, not the caller's: it must not fail what comes next
                    if (stalled) Thread.interrupted();
                }
            }
        }

        @Override
        public void close() throws IOException {
            streams.remove(this);
            super.close();
        }
    }
}
