import Foundation
import TrowelEngine
import TrowelVolume

/// The neuroglancer view of a served project: the scan, the labels and the newest segmentation as
/// layers on `zarr2://` sources, in physical units (metres, from the voxel size), an axial slice
/// through the middle of the scan, and the link to open it.
public struct NeuroglancerState: Sendable {
    /// One class of the labels: its id and colour (`#rrggbb`).
    public struct LabelColor: Sendable, Equatable {
        public var id: Int
        public var color: String
        public init(id: Int, color: String) {
            self.id = id
            self.color = color
        }
    }

    /// Where the data is served from, e.g. `http://127.0.0.1:9000`.
    public var baseURL: String
    public var shape: Shape
    public var voxelSize: VoxelSize
    /// The contrast window of the scan's grey values (the project's percentiles).
    public var window: ClosedRange<Double>
    public var classes: [LabelColor]
    public var hasLabels: Bool
    /// The segmentation shown, normally the newest finished one.
    public var segmentation: String?
    /// Which panels: neuroglancer's `4panel` by default, `xy` for a single axial slice.
    public var layout = "4panel"

    /// The public neuroglancer client the link opens (it reads the data from the tunnel's 127.0.0.1).
    public static let defaultClient = "https://neuroglancer-demo.appspot.com/"

    public init(baseURL: String, shape: Shape, voxelSize: VoxelSize, window: ClosedRange<Double>, classes: [LabelColor],
                hasLabels: Bool, segmentation: String?) {
        self.baseURL = baseURL
        self.shape = shape
        self.voxelSize = voxelSize
        self.window = window
        self.classes = classes
        self.hasLabels = hasLabels
        self.segmentation = segmentation
    }

    /// The `zarr2://` source of a served folder, e.g. `volume.zarr`.
    public func source(_ folder: String) -> String { "zarr2://\(baseURL)/\(folder)/" }

    /// Metres per voxel along (z, y, x).
    var metres: (z: Double, y: Double, x: Double) { (voxelSize.z * 1e-6, voxelSize.y * 1e-6, voxelSize.x * 1e-6) }

    /// The state as neuroglancer's JSON.
    public var json: OrderedJSON {
        let m = metres
        func dim(_ s: Double) -> OrderedJSON { .array([.number(s), .string("m")]) }
        // Display x, y, z (the scan is stored z, y, x) so the xy panel shows an axial slice.
        let dimensions = OrderedJSON.object([("x", dim(m.x)), ("y", dim(m.y)), ("z", dim(m.z))])
        // The centre of the middle voxel: neuroglancer puts an OME-Zarr voxel i's centre at i.
        let centre = OrderedJSON.array([shape.x, shape.y, shape.z].map { .number(Double($0 / 2)) })
        var layers: [OrderedJSON] = [
            .object([
                ("type", .string("image")),
                ("source", .string(source("volume.zarr"))),
                ("name", .string("scan")),
                ("shader", .string("#uicontrol invlerp normalized\nvoid main() {\n  emitGrayscale(normalized());\n}\n")),
                ("shaderControls", .object([("normalized", .object([("range", .array([.number(window.lowerBound), .number(window.upperBound)]))]))])),
            ]),
        ]
        let segments = OrderedJSON.array(classes.map { .string(String($0.id)) })
        let colors = OrderedJSON.object(classes.map { (String($0.id), .string($0.color)) })
        if hasLabels {
            // labels.zarr is a plain array (dimensions d0, d1, d2 without units, voxel i spanning i…i+1):
            // give them the voxel size, name them z, y, x, and move them half a voxel onto the scan's
            // OME voxel centres (checked in headless Chromium by Scripts/check-neuroglancer.py).
            let half: [OrderedJSON] = [.number(-0.5)]
            let transform = OrderedJSON.object([
                ("outputDimensions", .object([("z", dim(m.z)), ("y", dim(m.y)), ("x", dim(m.x))])),
                ("inputDimensions", .object([("d0", dim(m.z)), ("d1", dim(m.y)), ("d2", dim(m.x))])),
                ("matrix", .array((0..<3).map { r in .array((0..<3).map { c in .number(r == c ? 1 : 0) } + half) })),
            ])
            layers.append(.object([
                ("type", .string("segmentation")),
                ("source", .object([("url", .string(source("labels.zarr"))), ("transform", transform)])),
                ("name", .string("labels")),
                ("segments", segments),
                ("segmentColors", colors),
            ]))
        }
        if let segmentation {
            layers.append(.object([
                ("type", .string("segmentation")),
                ("source", .string(source("segmentations/\(segmentation).zarr"))),
                ("name", .string("segmentation \(segmentation)")),
                ("segments", segments),
                ("segmentColors", colors),
                ("visible", .bool(!hasLabels)),
            ]))
        }
        return .object([
            ("dimensions", dimensions),
            ("position", centre),
            ("crossSectionScale", .number(crossSectionScale)),
            ("projectionScale", .number(Double(max(shape.x, shape.y, shape.z)) * 2 * max(m.x, m.y, m.z))),
            ("layers", .array(layers)),
            ("selectedLayer", .object([("layer", .string("scan"))])),
            ("layout", .string(layout)),
        ])
    }

    /// Voxels per screen pixel in the slice panels: the whole slice fits about 400 pixels.
    var crossSectionScale: Double { max(1, Double(max(shape.x, shape.y)) / 400).rounded(.up) }

    /// The link: `client#!` followed by the percent-encoded state.
    public func link(client: String = NeuroglancerState.defaultClient) -> String {
        var allowed = CharacterSet.urlFragmentAllowed
        allowed.remove(charactersIn: "#%\"<>\\^`{|}")
        return client + "#!" + (json.text.addingPercentEncoding(withAllowedCharacters: allowed) ?? json.text)
    }
}

extension NeuroglancerState {
    /// The view of `project` as served by `server`: its voxel size, contrast window, classes,
    /// labels (if painted) and newest finished segmentation.
    public init(project: Project, server: ProjectServer, port: Int) throws(ProjectError) {
        let record = try project.record()
        let low = record.valueLow, high = record.valueHigh > record.valueLow ? record.valueHigh : record.valueLow + 1
        self.init(baseURL: server.baseURL(port: port), shape: record.shape, voxelSize: record.voxelSize, window: low...high,
                  classes: try project.classes().map { LabelColor(id: $0.id, color: $0.color) },
                  hasLabels: server.tree.hasLabels, segmentation: server.tree.segmentations().last)
    }
}
