/// Names of per-slice files: `prefix_00000.tif`, zero-padded to five digits so that plain and
/// natural sorting agree for up to 100 000 slices.
public enum SliceFileName {
    public static func make(prefix: String, index: Int, extension ext: String) -> String {
        let digits = String(index)
        return prefix + "_" + String(repeating: "0", count: Swift.max(0, 5 - digits.count)) + digits + "." + ext
    }
}
