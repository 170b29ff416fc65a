import ArgumentParser
import Foundation
import TrowelEngine
import TrowelVolume

struct LabelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "labels",
        abstract: "Work with a project's labels headless.",
        subcommands: [LabelsImportCommand.self, LabelsUndoCommand.self, LabelsCheckCommand.self, LabelsPaintCommand.self,
                      LabelsLogCommand.self, LabelsExportCommand.self, LabelsAgreementCommand.self]
    )
}

struct LabelsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a label volume or a binary mask into a project's labels.",
        discussion: """
            FILE is a label volume with the scan's shape: Zarr (or OME-Zarr), a TIFF/PNG stack or a raw \
            file (with --shape and --dtype). Values are class ids of the project's class table (1 = bone, \
            2 = matrix by default) and 0 = unlabelled. With --class, FILE is a binary mask (e.g. one \
            exported by ml4paleo): non-zero voxels become that class, zero voxels --background or stay \
            unlabelled. Imported labels replace existing ones where they are non-zero. The whole file is \
            checked before anything is written; 'trowel labels undo' takes the import back. The import is \
            one stroke in the log with every voxel it labelled, so 'trowel labels check --rebuild' can \
            rebuild those chunks.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Argument(help: "The label volume: Zarr, folder, glob or files of slices, or a raw file.")
    var inputs: [String]

    @Option(name: .customLong("class"), help: "Read FILE as a binary mask of this class.")
    var className: String?

    @Option(help: "With --class: the class of the mask's zero voxels (otherwise they stay unlabelled).")
    var background: String?

    @Option(help: "Who imports (the log's author of the import; default: import).")
    var author: String?

    @OptionGroup var raw: RawVolumeOptions

    func validate() throws {
        if background != nil, className == nil { throw ValidationError("--background needs --class") }
        try raw.validate(inputs: inputs)
    }

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            let classes = try project.classes()
            func id(_ name: String) throws -> UInt8 {
                guard let c = classes.first(where: { $0.name == name }) else {
                    throw LearningError.unknownClass(name, classes: classes.map(\.name).joined(separator: ", "))
                }
                return UInt8(c.id)
            }
            let mapping: LabelImport.Mapping = try className.map { .mask(foreground: try id($0), background: try background.map(id)) }
                ?? .classIDs
            let source = try raw.makeSource(inputs)
            let checking = ProgressBar(label: "checking", unit: "slices"), writing = ProgressBar(label: "importing", unit: "slices")
            let started = Date()
            let counts = try LabelImport(project: project, author: author ?? "import").run(from: source, file: inputs.joined(separator: " "), mapping: mapping) { phase, done, total in
                let bar = phase == .checking ? checking : writing
                Terminal.showProgress(bar.line(done: done, total: total, bytes: 0, elapsed: Date().timeIntervalSince(started),
                                               width: Terminal.width))
            }
            Terminal.clearProgressLine()
            let parts = classes.compactMap { c in counts[c.id].map { "\(c.name) \($0)" } }
            print("imported \(counts.values.reduce(0, +)) labelled voxels into \(project.url.path)" +
                  (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"))
        }
    }
}

struct LabelsUndoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo",
        abstract: "Undo the latest label import.",
        discussion: """
            Gives every voxel the last 'trowel labels import' labelled the label it had before; voxels \
            painted since keep what was painted. Run it again to undo the import before that.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            guard let undone = try LabelImport(project: project).undoLast() else {
                throw LearningError.labelVolume("\(project.url.path): no label import to undo")
            }
            print("undid the import of \(undone.info.file): \(undone.restored) voxels have their earlier labels back" +
                  (undone.kept == 0 ? "" : "; \(undone.kept) painted since keep the newer label"))
        }
    }
}

struct LabelsCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that every labels chunk is there and can be read.",
        discussion: """
            Reads every chunk of PROJECT/labels.zarr and lists those that were painted once and are gone, \
            or that cannot be decoded, with the slices they hold. Exits 1 if any is damaged. With \
            --rebuild, every chunk that is missing, cannot be decoded or disagrees with the stroke log is \
            rewritten from the log (its edits replayed in log order, undos included), beside any painters; \
            an unreadable file is first moved into labels.zarr/.damaged/. A lost chunk whose labels \
            predate the log (projects painted before Trowel logged every voxel) is listed as not \
            rebuildable and left alone (exit 1). With --set-aside, unreadable chunk files are moved into \
            labels.zarr/.damaged/ (kept, for repair) and missing ones forgotten, so training and painting \
            go on with the labels that are left.
            """
    )

    @Argument(help: "The project folder.")
    var project: String

    @Flag(help: "Move unreadable chunks aside and forget missing ones.")
    var setAside = false

    @Flag(help: "Also check that the labels are the stroke log replayed (each voxel holds what its last write logged).")
    var log = false

    @Flag(help: "Rewrite missing, unreadable and disagreeing chunks from the stroke log (implies --log).")
    var rebuild = false

    @Flag(help: "With --rebuild: print the report as JSON.")
    var json = false

    func validate() throws {
        if rebuild, setAside { throw ValidationError("--rebuild and --set-aside exclude each other: rebuild what the log holds first") }
        if json, !rebuild { throw ValidationError("--json goes with --rebuild") }
    }

    func run() throws {
        try reportingErrors {
            let project = try Project.open(at: URL(fileURLWithPath: self.project))
            if setAside { try project.requireWritable(for: "setting damaged labels aside") }
            if rebuild { try project.requireWritable(for: "rebuilding labels from the stroke log") }
            let store = try LabelStore(project: project, shape: try project.record().shape, author: AnnotationSession.currentUser,
                                       writable: setAside || rebuild)
            if rebuild {
                let report = try LabelRebuild.run(on: store)
                let wrong = try StrokeLog(project: project).mismatches(limit: 10)
                if json {
                    print(try JSONOutput.text(report))
                } else {
                    for c in report.rebuilt + report.notRebuildable { print(c.description) }
                    for m in wrong {
                        print(m.description)
                    }
                }
                guard report.notRebuildable.isEmpty else {
                    throw LabelsCheckError.notRebuildable(project.url.path, report.notRebuildable.count)
                }
                guard wrong.isEmpty else { throw LabelsCheckError.logMismatch(project.url.path) }
                if !json {
                    print(report.rebuilt.isEmpty ? "labels match the stroke log; nothing to rebuild"
                          : "rebuilt \(report.rebuilt.count) chunk(s); labels match the stroke log")
                }
                return
            }
            if setAside {
                let done = try store.setAsideDamage()
                for line in done { print(line) }
                print(done.isEmpty ? "labels are intact; nothing to set aside" : "set aside \(done.count) damaged chunk(s)")
                return
            }
            for d in store.damage { print(d.description) }
            guard store.damage.isEmpty else {
                throw LabelsCheckError.damaged(project.url.path, store.damage.count)
            }
            if log {
                let wrong = try StrokeLog(project: project).mismatches(limit: 10)
                for m in wrong {
                    print(m.description)
                }
                guard wrong.isEmpty else { throw LabelsCheckError.logMismatch(project.url.path) }
                print("labels match the stroke log")
            }
            print("labels are intact: \(store.counts.values.reduce(0, +)) labelled voxels")
        }
    }
}

/// Why `trowel labels check` exits 1; one line naming the project and what to run.
enum LabelsCheckError: Error, CustomStringConvertible {
    case damaged(String, Int)
    case logMismatch(String)
    case notRebuildable(String, Int)

    var description: String {
        switch self {
        case .damaged(let p, let n):
            return "\(p): \(n) damaged labels chunk(s), listed above; run 'trowel labels check \(p) --rebuild' to rebuild them from the stroke log (or restore them from a backup, or '--set-aside' and repaint those slices)"
        case .logMismatch(let p):
            return "\(p)/labels.zarr: voxels differ from the stroke log (listed above, at most 10); run 'trowel labels check \(p) --rebuild' to rewrite them from it"
        case .notRebuildable(let p, let n):
            return "\(p): \(n) labels chunk(s) could not be rebuilt from the stroke log (listed above); restore them from a backup, or run 'trowel labels check \(p) --set-aside' and repaint those slices"
        }
    }
}

/// How to read a volume given on the command line: a Zarr, slice files, or a raw file with
/// `--shape` and `--dtype` (as `trowel convert` reads a scan).
struct RawVolumeOptions: ParsableArguments {
    @Option(help: "Raw input: Z,Y,X (slices, rows, columns).")
    var shape: String?

    @Option(help: "Raw input: u8, u16, i16, u32, i32, f32 or f64.")
    var dtype: String?

    @Option(help: "Raw input: little or big.")
    var endian = "little"

    func validate(inputs: [String]) throws {
        if shape != nil || dtype != nil {
            guard shape != nil, dtype != nil else { throw ValidationError("a raw volume needs both --shape and --dtype") }
            guard inputs.count == 1 else { throw ValidationError("a raw volume is one file") }
        }
    }

    func makeSource(_ inputs: [String]) throws -> any SliceSource {
        if let shape, let dtype {
            guard let s = Shape(parsingOption: shape), !s.isEmpty else { throw ConvertError.shape(shape) }
            guard let t = DType(parsing: dtype) else { throw ValidationError("--dtype \(dtype): use u8, u16, i16, u32, i32, f32 or f64") }
            guard let order = ByteOrder(rawValue: endian.lowercased()) else { throw ValidationError("--endian \(endian): use little or big") }
            return try RawVolume(file: URL(fileURLWithPath: inputs[0]), shape: s, dtype: t, byteOrder: order)
        }
        if inputs.count == 1, ZarrSource.isZarr(URL(fileURLWithPath: inputs[0])) {
            return try ZarrSource(url: URL(fileURLWithPath: inputs[0]))
        }
        return try SliceFiles(resolving: inputs).makeSource()
    }
}

extension Shape {
    /// `Z,Y,X` as given to `--shape`: exactly three whole numbers (sizes are checked by the reader).
    init?(parsingOption text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 3, let z = parts[0], let y = parts[1], let x = parts[2] else { return nil }
        self.init([z, y, x])
    }
}
