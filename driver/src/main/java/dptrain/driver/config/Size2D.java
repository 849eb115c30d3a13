package dptrain.driver.config;

/** A height and width, for kernels and strides; the spec writes {@code 3} for {@code [3, 3]}. */
public record Size2D(int height, int width) {

    public Size2D {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("height and width must be positive, got " + height + "x" + width);
        }
    }

    public static Size2D square(int side) {
        return new Size2D(side, side);
    }

    public int[] toArray() {
        return new int[] {height, width};
    }

    @Override
    public String toString() {
        return "[" + height + ", " + width + "]";
    }
}
