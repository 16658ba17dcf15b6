package hako.cli;

/** ImagesCommand's size column, for tests of other packages. */
public final class SizesForTests {
    private SizesForTests() {}

    public static String human(long bytes) {
        return ImagesCommand.size(bytes);
    }
}
