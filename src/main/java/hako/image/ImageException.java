package hako.image;

/** A failure of an image, its layout, its blobs or a layer: one line for people. */
public final class ImageException extends hako.HakoException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
