/// Facts about this build of Trowel.
public enum Trowel {
    public static let version = "0.1.0"
}
