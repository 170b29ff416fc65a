import Foundation

/// OME-NGFF 0.4 `multiscales` metadata of an image pyramid group (`volume.zarr/` with arrays
/// `0`, `1`, … from full resolution down): the axes, and each level's voxel size as a scale transform,
/// so napari, Fiji and neuroglancer show the scan in physical units.
public struct OMEMultiscales: Sendable, Equatable {
    /// One axis of the image, e.g. `z`, space, micrometer.
    public struct Dimension: Sendable, Equatable {
        public var name: String
        public var type: String
        public var unit: String?
        public init(name: String, type: String = "space", unit: String? = "micrometer") {
            self.name = name
            self.type = type
            self.unit = unit
        }
    }

    /// One pyramid level: the array's path inside the group and its voxel size (z, y, x).
    public struct Dataset: Sendable, Equatable {
        public var path: String
        public var scale: [Double]
        /// Optional offset of the first voxel, in physical units.
        public var translation: [Double]?
        public init(path: String, scale: [Double], translation: [Double]? = nil) {
            self.path = path
            self.scale = scale
            self.translation = translation
        }
    }

    public var version: String
    public var name: String?
    public var axes: [Dimension]
    public var datasets: [Dataset]
    /// How lower levels were made, e.g. `mean`.
    public var type: String?

    public init(version: String = "0.4", name: String?, axes: [Dimension], datasets: [Dataset], type: String?) {
        self.version = version
        self.name = name
        self.axes = axes
        self.datasets = datasets
        self.type = type
    }

    /// A `levels`-level pyramid with axes z, y, x in `unit`: level k is at path "k" and has voxel size
    /// `voxelSize` (z, y, x) × `factor`^k on every axis.
    public init(name: String, voxelSize: [Double], unit: String = "micrometer", levels: Int,
                factor: Double = 2, type: String = "mean") {
        precondition(voxelSize.count == 3, "OMEMultiscales: voxelSize is (z, y, x)")
        let axes = ["z", "y", "x"].map { Dimension(name: $0, unit: unit) }
        let datasets = (0..<max(1, levels)).map { k in
            Dataset(path: String(k), scale: voxelSize.map { $0 * pow(factor, Double(k)) })
        }
        self.init(name: name, axes: axes, datasets: datasets, type: type)
    }

    /// Full-resolution voxel size (z, y, x), from the first dataset's scale.
    public var voxelSize: [Double]? { datasets.first?.scale }

    // MARK: JSON

    /// The `multiscales[0]` object.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "version": .string(version),
            "axes": .array(axes.map { a in
                var o: [String: JSONValue] = ["name": .string(a.name), "type": .string(a.type)]
                if let unit = a.unit { o["unit"] = .string(unit) }
                return .object(o)
            }),
            "datasets": .array(datasets.map { d in
                var transforms: [JSONValue] = [["type": "scale", "scale": .array(d.scale.map(JSONValue.number))]]
                if let t = d.translation {
                    transforms.append(["type": "translation", "translation": .array(t.map(JSONValue.number))])
                }
                return ["path": .string(d.path), "coordinateTransformations": .array(transforms)]
            }),
        ]
        if let name { object["name"] = .string(name) }
        if let type { object["type"] = .string(type) }
        return .object(object)
    }

    /// Parses a `multiscales[0]` object; `path` names the file in errors.
    public init(json: JSONValue, path: String) throws(ZarrError) {
        guard let axesJSON = json["axes"]?.arrayValue, let datasetsJSON = json["datasets"]?.arrayValue else {
            throw .invalidMetadata(path: path, reason: "multiscales entry lacks 'axes' or 'datasets'")
        }
        var axes: [Dimension] = []
        for a in axesJSON {
            // OME-NGFF 0.3 wrote axes as bare names.
            if let n = a.stringValue { axes.append(Dimension(name: n, unit: nil)); continue }
            guard let n = a["name"]?.stringValue else {
                throw .invalidMetadata(path: path, reason: "an axis has no 'name'")
            }
            axes.append(Dimension(name: n, type: a["type"]?.stringValue ?? "space", unit: a["unit"]?.stringValue))
        }
        var datasets: [Dataset] = []
        for d in datasetsJSON {
            guard let p = d["path"]?.stringValue else {
                throw .invalidMetadata(path: path, reason: "a dataset has no 'path'")
            }
            var scale = [Double](repeating: 1, count: axes.count)
            var translation: [Double]?
            for t in d["coordinateTransformations"]?.arrayValue ?? [] {
                switch t["type"]?.stringValue {
                case "scale": scale = t["scale"]?.doubleArray ?? scale
                case "translation": translation = t["translation"]?.doubleArray
                default: break
                }
            }
            datasets.append(Dataset(path: p, scale: scale, translation: translation))
        }
        self.init(version: json["version"]?.stringValue ?? "0.4", name: json["name"]?.stringValue,
                  axes: axes, datasets: datasets, type: json["type"]?.stringValue)
    }

    // MARK: Files

    /// Makes `group` a Zarr v2 group (`.zgroup`) and sets `multiscales` in its `.zattrs`, keeping any
    /// other attributes already there. Both files are replaced atomically.
    public func write(to group: URL) throws(ZarrError) {
        let folder = group.standardizedFileURL.path
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw .io(path: folder, reason: "cannot create folder: \(error.localizedDescription)")
        }
        try ZarrArray.writeJSON(["zarr_format": 2], to: folder + "/.zgroup")
        let attrsPath = folder + "/.zattrs"
        var attributes: [String: JSONValue] = [:]
        if let bytes = try AtomicFile.read(attrsPath) {
            attributes = try ZarrMetadata.json(bytes, path: attrsPath).objectValue ?? [:]
        }
        attributes["multiscales"] = [jsonValue]
        try ZarrArray.writeJSON(.object(attributes), to: attrsPath)
    }

    /// Reads the first `multiscales` entry of the group at `group` (v2 `.zattrs` or v3 `zarr.json`).
    public static func read(from group: URL) throws(ZarrError) -> OMEMultiscales {
        let folder = group.standardizedFileURL.path
        var file = folder + "/.zattrs"
        var attributes: JSONValue?
        if let bytes = try AtomicFile.read(file) {
            attributes = try ZarrMetadata.json(bytes, path: file)
        } else {
            file = folder + "/zarr.json"
            if let bytes = try AtomicFile.read(file) {
                let meta = try ZarrMetadata.json(bytes, path: file)
                attributes = meta["attributes"]?["ome"] ?? meta["attributes"]
            }
        }
        guard let entry = attributes?["multiscales"]?.arrayValue?.first else {
            throw .invalidMetadata(path: file, reason: "no OME-NGFF 'multiscales' attribute")
        }
        return try OMEMultiscales(json: entry, path: file)
    }
}
