import Foundation
import TrowelEngine
import TrowelML
import TrowelVolume

/// Performs the effects `App.update` asks for against the engine and answers with messages: the
/// only place where the interactive screen touches the disk.
public final class EffectRunner {
    public let session: AnnotationSession
    let taskSize: Int
    /// Pick the most uncertain of a few random patches for new tasks (when a model exists).
    let uncertainTasks: Bool
    let palette: [String]
    let library: ModelLibrary
    let previewer: Previewer
    let trainer: Trainer
    /// Messages from the background trainer and previewer, waiting for the UI thread.
    private let inbox: Inbox
    /// Cancel flags of the background jobs started in this session, by job id.
    private var jobs: [Int: CancelFlag] = [:]
    /// The painted labels max-pooled onto the 3D view's level, as they were when it opened.
    private var renderLabels: (generation: Int, labels: [UInt8]?)?
    /// Ray casting and the 3D view's surfaces, off the UI thread.
    private var view3D: View3DWorker!
    /// Finished segmentations opened for review or as the interpolation overlay, by id.
    private var opened: [String: MultiscaleVolume] = [:]
    /// How the viewer interpolates: `trowel interpolate`'s defaults, and labels on two slices at least.
    public var interpolationOptions = LabelInterpolation.Options(minimumSlices: 2)
    /// The taxon panel's identifier, once a taxon model is chosen.
    private var identifier: LiveIdentifier?
    /// The project file that remembers the taxon model chosen with `:identify FILE`: one line, its path.
    public static let taxonModelSetting = "taxon-model"
    /// Starts and stops `:serve`'s HTTP server (given by the executable, which links the server library).
    public var serving: (any ProjectServing)?
    /// How many models the library held at the last look: a poll that finds more lists them.
    private var modelCount = 0
    /// Segmentations other sessions run that `S` found: the job log row ids shown in the queue.
    private var foreignJobs: Set<Int> = []

    /// `wake` is called (from any thread) when background results are waiting in `drainBackground()`.
    public init(session: AnnotationSession, taskSize: Int, palette: [String], uncertainTasks: Bool = true,
                wake: @escaping @Sendable () -> Void = {}) {
        self.session = session
        self.taskSize = taskSize
        self.uncertainTasks = uncertainTasks
        self.palette = palette
        let inbox = Inbox(wake: wake)
        self.inbox = inbox
        library = ModelLibrary(project: session.project)
        // The models there at the start are this session's to restore, not news from another one.
        modelCount = (try? library.count()) ?? 0
        let previewer = Previewer(volume: session.volume, onPreview: { inbox.post(.predictionLoaded(Prediction($0))) },
                                  onFailure: { inbox.post(.failure($0)) })
        self.previewer = previewer
        let models = library
        let projectURL = session.project.url
        view3D = View3DWorker(volume: session.volume, model: { previewer.model },
                              segmentation: { try MultiscaleVolume.open(at: SegmentationStore(projectURL: projectURL, id: $0).url) },
                              post: { inbox.post($0) })
        trainer = Trainer(project: session.project, volume: session.volume) { event in
            switch event {
            case .phase(let phase, let fraction):
                inbox.post(.trainingProgress(phase: phase, fraction: fraction), replacingProgress: true)
            case .trained(let forest, let record):
                do {
                    previewer.use(forest, id: record.id, prior: try models.prior(for: record))
                } catch {
                    previewer.use(forest, id: record.id)
                    inbox.post(.failure("\(error)"))
                }
                inbox.post(.modelTrained(ModelSummary(record)))
            case .selected(let recipe, let margin):
                inbox.post(.recipeChosen(recipe, margin: margin))
            case .failed(let why):
                inbox.post(.trainingStopped(why))
            }
        }
    }

    deinit { identifier?.stop() }

    /// The models saved in the project, and the latest one made current (its forest loaded for the overlay).
    public func restoreModels() -> Message? {
        let records: [ModelRecord]
        do { records = try library.records() } catch { return .failure("\(error); press t to train a new model") }
        modelCount = records.count
        guard let latest = records.last else { return nil }
        do {
            let (forest, record) = try library.load(latest.id)
            previewer.use(forest, id: latest.id, prior: try library.prior(for: record))
            return .modelsLoaded(records.map(ModelSummary.init), current: latest.id)
        } catch {
            // A missing or truncated model file is not "no model yet": say so, and how to get one back.
            return .failure("\(error); press t to train a new model from your labels")
        }
    }

    /// The taxon model this project was last given (`:identify FILE`), loaded for the taxon panel.
    public func restoreTaxonModel() -> Message? {
        let setting = session.project.url.appendingPathComponent(Self.taxonModelSetting)
        guard let text = try? String(contentsOf: setting, encoding: .utf8) else { return nil }
        let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !path.isEmpty else { return nil }
        do {
            return try useTaxonModel(path, remember: false)
        } catch {
            return .identify(.failed("\(error) (named in \(Self.taxonModelSetting); :identify FILE picks another)"))
        }
    }

    /// Loads a taxon model, starts identifying the specimen with it and (when `remember`) records it in the project.
    func useTaxonModel(_ path: String, remember: Bool) throws -> Message {
        let url = URL(fileURLWithPath: (path as NSString).expandingTildeInPath, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        let model = try TaxonModel(contentsOf: url)
        identifier?.stop()
        let inbox = self.inbox, taxa = model.header.taxa
        let live = LiveIdentifier(model: model, volume: session.volume) { event in
            switch event {
            case .slice(let axis, let index, let p):
                inbox.post(.identify(.sliceIdentified(SliceTaxa(axis: axis, index: index, ranked: p.map { TaxonIdentifier.ranked($0, taxa: taxa) }))))
            case .specimen(let p, let used, let done, let total):
                inbox.post(.identify(.specimenProgress(SpecimenTaxa(ranked: TaxonIdentifier.ranked(p, taxa: taxa), slicesUsed: used,
                                                                    slicesDone: done, slicesTotal: total))), replacingProgress: true)
            case .failed(let why):
                inbox.post(.identify(.failed(why)))
            }
        }
        identifier = live
        live.identifySpecimen()
        if remember && !session.isReadOnly {
            try? (url.standardizedFileURL.path + "\n").write(to: session.project.url.appendingPathComponent(Self.taxonModelSetting),
                                                           atomically: true, encoding: .utf8)
        }
        return .identify(.modelLoaded(TaxonModelInfo(file: url.lastPathComponent, taxa: taxa, axes: model.header.axes,
                                                     specimenAccuracy: model.header.specimenMetrics?.accuracy)))
    }

    /// What the background work has produced since the last call.
    public func drainBackground() -> [Message] { inbox.drain() }

    /// The messages that answer `effect`; a failure becomes a `.failure` message, never a throw.
    public func perform(_ effect: Effect, state: AppState) -> [Message] {
        do {
            return try run(effect, state: state)
        } catch {
            return [.failure("\(error)")]
        }
    }

    private func run(_ effect: Effect, state: AppState) throws -> [Message] {
        switch effect {
        case .loadSlice(let r):
            let values = try session.values(axis: r.axis, index: r.index, level: r.level, rows: r.rows, columns: r.columns)
            return [.sliceLoaded(SliceImage(axis: r.axis, index: r.index, level: r.level, rows: r.rows, columns: r.columns,
                                            values: values), offset: r.offset)]
        case .loadLabels(let axis, let index):
            return [try labelsMessage(axis: axis, index: index)]
        case .paint(let dabs, let newStroke):
            try session.paint(dabs, newStroke: newStroke)
            return [try labelsMessage(axis: state.viewport.axis, index: state.viewport.slice)]
        case .endStroke:
            try session.labels.endStroke()
            return [try labelsMessage(axis: state.viewport.axis, index: state.viewport.slice)]
        case .undo, .redo:
            let done = effect == .undo ? try session.labels.undo() : try session.labels.redo()
            var messages = [try labelsMessage(axis: state.viewport.axis, index: state.viewport.slice)]
            if !done { messages.append(.notice("nothing to \(effect == .undo ? "undo" : "redo")")) }
            return messages
        case .newTask(let axis, _):
            let task = try session.tasks.create(try choosePatch(axis: axis), author: session.author)
            return [.taskStarted(task), .tasksLoaded(try session.tasks.all())]
        case .propose(let taskID, let modelID):
            guard let task = try session.tasks.all().first(where: { $0.id == taskID }),
                  let (forest, id) = previewer.model, id == modelID else { return [] }
            let labels = try Predictor(forest: forest, volume: session.volume, prior: previewer.prior)
                .labels(task.box(in: session.volume.shape))
            return [.proposalLoaded(Proposal(taskID: taskID, modelID: id, axis: task.axis, slice: task.slice, rows: task.rows,
                                             columns: task.columns, labels: labels.elements))]
        case .acceptProposal(let proposal):
            // Exactly what the user was shown, even if a newer model has been trained since.
            let box = Box.slice(axis: proposal.axis, at: proposal.slice, of: session.volume.shape, rows: proposal.rows,
                                columns: proposal.columns)
            let labels = Block(shape: box.shape, elements: proposal.labels)
            let filled = try session.labels.acceptProposal(labels, at: box, modelID: proposal.modelID)
            try session.tasks.submit(proposal.taskID)
            return [try labelsMessage(axis: state.viewport.axis, index: state.viewport.slice), .tasksLoaded(try session.tasks.all()),
                    .notice("task \(proposal.taskID) submitted: \(filled) proposed voxels accepted (they train models but never score them)")]
        case .thresholdSlice(let axis, let index):
            let otsu = ThresholdSegmentation(project: session.project, method: .otsu)
            let slice = try otsu.sliceLabels(axis: axis, index: index, in: session.volume)
            let filled = try session.labels.acceptProposal(slice.labels, at: slice.box, modelID: "otsu")
            let names = Dictionary(uniqueKeysWithValues: try session.project.classes().map { ($0.id, $0.name) })
            return [try labelsMessage(axis: state.viewport.axis, index: state.viewport.slice),
                    .notice(String(format: "Otsu threshold %g: %d unlabelled voxels pre-filled (%@ above, %@ below); paint to correct, u undoes",
                                   slice.thresholds.first ?? 0, filled, names[1] ?? "class 1", names[2] ?? "class 2"))]
        case .submitTask(let id):
            try session.labels.endStroke()
            try session.tasks.submit(id)
            return [.tasksLoaded(try session.tasks.all()), .notice("task \(id) submitted; n for the next one")]
        case .addClass(let name, let color):
            let c = try session.project.addClass(name: name, color: color?.hex, palette: palette)
            return [.classesLoaded(try classStyles()), .notice("added class \(c.id) \(c.name): press \(c.id) to paint it")]
        case .renameClass(let id, let name):
            try session.project.updateClass(id: id, name: name)
            return [.classesLoaded(try classStyles())]
        case .recolorClass(let id, let color):
            try session.project.updateClass(id: id, color: color.hex)
            return [.classesLoaded(try classStyles())]
        case .train:
            guard !session.isReadOnly else { return [.notice("read-only session: training is left to the session that annotates")] }
            trainer.request()
            return [.trainingProgress(phase: "waiting", fraction: 0)]
        case .predict(let region):
            previewer.request(PreviewRequest(axis: region.axis, index: region.index, rows: region.rows, columns: region.columns))
            return []
        case .segment(let modelID):
            // One segmentation per model, whichever session asks: a second S shows the running one.
            let lock: SegmentationLock
            switch try SegmentationLock.acquire(projectURL: session.project.url, id: modelID, author: session.author) {
            case .success(let taken): lock = taken
            case .failure(let held):
                let title = "segment \(modelID.suffix(6))"
                guard let job = try JobLog(project: session.project).all()
                    .last(where: { $0.kind == "segment" && $0.target == modelID && $0.state == .running }) else {
                    return [.notice("\(title): already being started by \(held.holder); g shows it when it runs")]
                }
                foreignJobs.insert(job.id)
                return [.collab(.foreignJob(Self.status(of: job, title: title), holder: held.holder))]
            }
            let (forest, record) = try library.load(modelID)
            let prior = try library.prior(for: record)
            let id = (jobs.keys.max() ?? 0) + 1
            let flag = CancelFlag()
            jobs[id] = flag
            var options = SegmentationJob.Options()
            // One worker and a modest budget keep the viewer responsive on a small machine.
            options.workers = max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
            options.memory = ByteCount(1 << 30)
            let job = SegmentationJob(projectURL: session.project.url, id: modelID, forest: forest, volume: session.volume,
                                      prior: prior, options: options)
            let title = "segment \(modelID.suffix(6))"
            let inbox = self.inbox
            let log = JobLog(project: session.project)
            Thread.detachNewThread {
                defer { withExtendedLifetime(lock) {} }
                do {
                    let result = try job.run(loggingTo: log, progress: { p in
                        inbox.post(.jobUpdated(JobStatus(id: id, title: title, progress: p, state: .running)), replacingProgress: true)
                    }, isCancelled: { flag.isSet })
                    let final = SegmentationProgress(blocksDone: result.blocksAlreadyDone + result.blocksComputed + result.blocksJoined, blocksTotal: result.blocksInShard,
                                                     blocksComputed: result.blocksComputed, voxelsComputed: result.voxelsComputed,
                                                     elapsed: result.seconds)
                    inbox.post(.jobUpdated(JobStatus(id: id, title: title, progress: final, state: result.cancelled ? .cancelled : .finished)))
                } catch {
                    inbox.post(.jobUpdated(JobStatus(id: id, title: title, done: 0, total: 0, rate: 0, secondsRemaining: nil,
                                                     state: .failed("\(error)"))))
                }
            }
            let total = try job.grid().count
            let done = SegmentationStore(projectURL: session.project.url, id: modelID).doneCount(of: total)
            return [.jobUpdated(JobStatus(id: id, title: title, done: done, total: total, rate: 0, secondsRemaining: nil, state: .running))]
        case .listSegmentations:
            let url = session.project.url
            return [.segmentationsLoaded(SegmentationStore.ids(in: url).filter { SegmentationStore(projectURL: url, id: $0).isComplete })]
        case .loadSegmentation(let id, let axis, let index):
            return [.predictionLoaded(try segmentationSlice(id, axis: axis, index: index))]
        case .findUncertainSlice(let id, let axis):
            guard let slice = try mostUncertainSlice(id, axis: axis) else {
                return [.failure("segmentation \(id) was written without probabilities: run trowel segment --probabilities")]
            }
            return [.goToSlice(slice)]
        case .cancelJob(let id):
            jobs[id]?.set()
            return []
        case .interpolate:
            return [interpolateInBackground()]
        case .loadInterpolation(let id, let axis, let index):
            let labels = try segmentation(id).slice(axis: axis, at: index).converted(to: UInt8.self).elements
            let plane = session.volume.shape.plane(across: axis)
            return [.interpolation(.sliceLoaded(InterpolatedSlice(
                id: id, labels: LabelSlice(axis: axis, index: index, rows: plane.rows, columns: plane.columns, labels: labels))))]
        case .loadTaxonModel(let path):
            do { return [try useTaxonModel(path, remember: true)] } catch { return [.identify(.failed("\(error)"))] }
        case .identifySlice(let axis, let index):
            identifier?.identify(axis: axis, index: index)
            return []
        case .match(let file):
            matchInBackground(file)
            return []
        case .pollCollaborators:
            return try poll(state: state)
        case .useModel(let id):
            let (forest, record) = try library.load(id)
            previewer.use(forest, id: id, prior: try library.prior(for: record))
            return [.modelsLoaded(try library.records().map(ModelSummary.init), current: id)]
        case .render3D(let request):
            try render3D(request, state: state)
            return []
        case .serve(let port):
            guard let serving else {
                return [.serve(.failed("this viewer was started without a server; run trowel serve \(session.project.url.path) in another shell"))]
            }
            do {
                return [.serve(.started(try serving.start(port: port)))]
            } catch {
                return [.serve(.failed("\(error)"))]
            }
        case .stopServing:
            serving?.stop()
            return [.serve(.stopped)]
        case .redraw, .quit:
            return []
        }
    }

    /// Largest side of the pyramid level the 3D view reads.
    public static let view3DSide = 160

    /// The pyramid level of `volume` the 3D view reads.
    public static func view3DLevel(of volume: MultiscaleVolume) -> Int { View3DWorker.level(of: volume, side: view3DSide) }

    /// Asks the background renderer for a 3D frame (it comes back as `.rendered3D` through the
    /// inbox). The painted labels are max-pooled onto the view's level here, on the UI thread that
    /// owns the label store, once per opening of the view (only the label chunks that exist are read).
    func render3D(_ request: View3DRequest, state: AppState) throws {
        if renderLabels?.generation != request.generation {
            let level = View3DWorker.level(of: session.volume, side: Self.view3DSide)
            let shape = session.volume.levels[level].shape
            renderLabels = (request.generation, try session.labels.pooled(level: level, shape: shape))
        }
        let ramp = (0..<256).map { state.theme.sliceColor(Double($0) / 255) }
        let colours = Dictionary(uniqueKeysWithValues: state.classes.map { ($0.id, $0.color) })
        let labels: [UInt8]? = request.surface == .labels ? renderLabels?.labels : nil
        view3D.submit(View3DWorker.Job(request: request, classColors: colours, ramp: ramp, background: state.theme.background, labels: labels))
    }

    /// The labels of a slice with the current counts and undo state.
    public func labelsMessage(axis: Axis, index: Int) throws -> Message {
        let block = try session.labels.slice(axis: axis, at: index)
        let plane = session.volume.shape.plane(across: axis)
        var slice = LabelSlice(axis: axis, index: index, rows: plane.rows, columns: plane.columns, labels: block.elements)
        if let others = session.labels.otherAuthors(axis: axis, at: index) {
            slice.authors = others.authors
            slice.owners = others.owners
        }
        return .labelsLoaded(slice, counts: session.labels.counts, canUndo: session.labels.canUndo, canRedo: session.labels.canRedo)
    }

    /// What other sessions did since the last poll: their strokes (the slice in view re-read when
    /// they crossed it), models they trained, and the progress of their jobs that `S` found.
    func poll(state: AppState) throws -> [Message] {
        let boxes = try session.labels.refresh()
        var messages: [Message] = []
        if !boxes.isEmpty { messages.append(try labelsMessage(axis: state.viewport.axis, index: state.viewport.slice)) }
        // Models trained in any session land in the shared library; m lists them and makes one current.
        if try library.count() != modelCount {
            let records = try library.records()
            let known = Set(state.models.map(\.id))
            modelCount = records.count
            // A session without a model of its own takes the newest one, as it would on opening.
            var current: String?
            if state.currentModel == nil, let newest = records.last, let (forest, _) = try? library.load(newest.id) {
                previewer.use(forest, id: newest.id)
                current = newest.id
            }
            messages.append(.modelsLoaded(records.map(ModelSummary.init), current: current))
            if let new = records.last(where: { !known.contains($0.id) }), !trainer.isTraining {
                messages.append(.notice("model \(new.id) was trained in another session" + (current == nil ? ": m lists it" : " and is shown")))
            }
        }
        if !foreignJobs.isEmpty {
            for job in try JobLog(project: session.project).all() where foreignJobs.contains(job.id) {
                if job.state != .running { foreignJobs.remove(job.id) }
                messages.append(.jobUpdated(Self.status(of: job, title: "segment \(job.target.suffix(6))")))
            }
        }
        let edits = session.labels.lastRefreshAuthors
        let counts = session.labels.countsByAuthor.mapValues { $0.values.reduce(0, +) }
        messages.append(.collab(.polled(CollabState.Snapshot(me: session.author, countsByAuthor: counts, othersEdits: edits.count, lastOther: edits.last))))
        return messages
    }

    /// A job of the log (another session's segmentation) as the queue shows it; its id is negative,
    /// apart from this session's own jobs.
    static func status(of job: JobRecord, title: String) -> JobStatus {
        let state: JobStatus.State
        switch job.state {
        case .running: state = .running
        case .finished: state = .finished
        case .cancelled: state = .cancelled
        case .failed: state = .failed(job.error ?? "failed")
        case .interrupted: state = .failed("interrupted")
        }
        let rate = job.seconds > 0 ? Double(job.voxels) / job.seconds : 0
        return JobStatus(id: -job.id, title: title, done: job.blocksDone, total: job.blocksTotal, rate: rate, secondsRemaining: nil, state: state)
    }

    /// Locates the image at `file` (relative to the working folder, `~` expanded) on a thread of its
    /// own; the best place comes back through the inbox as a `MatchEvent`.
    func matchInBackground(_ file: String) {
        let inbox = self.inbox, volume = session.volume
        let url = URL(fileURLWithPath: (file as NSString).expandingTildeInPath)
        Thread.detachNewThread {
            do {
                let result = try SectionLocator(top: 1).locate(image: url, in: volume)
                guard let best = result.candidates.first else { return inbox.post(.match(.nothingFound(file: file))) }
                inbox.post(.match(.found(MatchedSection(file: file, axis: best.sliceAxis, slice: best.slice, pose: best.pose,
                                                        imageSize: (result.imageSize[0], result.imageSize[1]),
                                                        ssim: best.ssim, ncc: best.ncc, dice: best.dice))))
            } catch {
                inbox.post(.match(.failed("\(error)")))
            }
        }
    }

    /// Starts `LabelInterpolation` on a thread of its own, as a job of the queue (cancellable with
    /// the others); its phases, then its summary, come back through the inbox. Answers the job's first state.
    func interpolateInBackground() -> Message {
        let id = (jobs.keys.max() ?? 0) + 1
        let flag = CancelFlag()
        jobs[id] = flag
        let interpolation = LabelInterpolation(project: session.project, options: interpolationOptions)
        let inbox = self.inbox
        @Sendable func status(_ state: JobStatus.State, done: Int, total: Int, phase: String? = nil) -> JobStatus {
            JobStatus(id: id, title: "interpolate", done: done, total: total, rate: 0, secondsRemaining: nil, state: state,
                      kind: .interpolation, phase: phase)
        }
        Thread.detachNewThread {
            var steps = (done: 0, total: 1)
            do {
                let result = try interpolation.run(progress: { p in
                    steps = (p.done, p.total)
                    inbox.post(.jobUpdated(status(.running, done: p.done, total: p.total, phase: p.phase)), replacingProgress: true)
                }, isCancelled: { flag.isSet })
                inbox.post(.jobUpdated(status(.finished, done: steps.total, total: steps.total)))
                inbox.post(.interpolation(.finished(InterpolationSummary(id: result.segmentation, labelledSlices: result.labelledSlices,
                                                                         converged: result.converged))))
            } catch InterpolationError.cancelled {
                inbox.post(.jobUpdated(status(.cancelled, done: steps.done, total: steps.total)))
            } catch {
                inbox.post(.jobUpdated(status(.failed("\(error)"), done: steps.done, total: steps.total)))
            }
        }
        return .jobUpdated(status(.running, done: 0, total: 1, phase: "starting"))
    }

    /// A finished segmentation, opened once.
    func segmentation(_ id: String) throws -> MultiscaleVolume {
        if let volume = opened[id] { return volume }
        let volume = try MultiscaleVolume.open(at: SegmentationStore(projectURL: session.project.url, id: id).url)
        opened[id] = volume
        return volume
    }

    /// One slice of a finished segmentation as an overlay, with class probabilities and the
    /// uncertainty margin when the segmentation was written with them.
    func segmentationSlice(_ id: String, axis: Axis, index: Int) throws -> Prediction {
        let store = SegmentationStore(projectURL: session.project.url, id: id)
        let labels = try segmentation(id).slice(axis: axis, at: index).converted(to: UInt8.self).elements
        let plane = session.volume.shape.plane(across: axis)
        var classIDs: [Int] = [], probabilities: [Float] = [], uncertainty: [Float] = []
        let classes = try session.project.classes().map { UInt8($0.id) }
        let arrays = try classes.compactMap { c in try probabilityArray(store, classID: c).map { (c, $0) } }
        if arrays.count >= 2 {
            let slices = try arrays.map { try $0.1.read(Box.slice(axis: axis, at: index, of: $0.1.shape), as: UInt8.self).elements }
            classIDs = arrays.map { Int($0.0) }
            probabilities = [Float](repeating: 0, count: labels.count * classIDs.count)
            uncertainty = [Float](repeating: 0, count: labels.count)
            for v in 0..<labels.count {
                var p1: Float = 0, p2: Float = 0
                for k in 0..<slices.count {
                    let p = Float(slices[k][v]) / 255
                    probabilities[v * slices.count + k] = p
                    if p > p1 { p2 = p1; p1 = p } else if p > p2 { p2 = p }
                }
                uncertainty[v] = 1 - (p1 - p2)
            }
        }
        return Prediction(axis: axis, index: index, rows: 0..<plane.rows, columns: 0..<plane.columns, modelID: "segmentation \(id)",
                          classIDs: classIDs, labels: labels, probabilities: probabilities, uncertainty: uncertainty)
    }

    /// The slice across `axis` with the most voxels whose two top classes are within 20 % of each
    /// other; nil when the segmentation has no probabilities.
    func mostUncertainSlice(_ id: String, axis: Axis) throws -> Int? {
        let store = SegmentationStore(projectURL: session.project.url, id: id)
        let arrays = try session.project.classes().compactMap { try probabilityArray(store, classID: UInt8($0.id)) }
        guard arrays.count >= 2 else { return nil }
        let shape = session.volume.shape
        var best = (slice: 0, count: -1)
        for index in 0..<shape[axis] {
            let slices = try arrays.map { try $0.read(Box.slice(axis: axis, at: index, of: shape), as: UInt8.self).elements }
            var count = 0
            for v in 0..<slices[0].count {
                var p1 = 0, p2 = 0
                for s in slices {
                    let p = Int(s[v])
                    if p > p1 { p2 = p1; p1 = p } else if p > p2 { p2 = p }
                }
                if p1 - p2 < 51 { count += 1 }
            }
            if count > best.count { best = (index, count) }
        }
        return best.slice
    }

    /// The probabilities of one class if the segmentation has them (an unreadable one is an error).
    func probabilityArray(_ store: SegmentationStore, classID: UInt8) throws -> ZarrArray? {
        let url = store.probabilityURL(classID: classID)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try ZarrArray.open(at: url)
    }

    /// A patch for a new task: random, or with a model, the most uncertain of eight random ones
    /// (mean ensemble margin), so proofreading goes where the model needs it most.
    func choosePatch(axis: Axis) throws -> AnnotationTask {
        let shape = session.volume.shape
        guard uncertainTasks, let (forest, _) = previewer.model else { return session.tasks.randomPatch(axis: axis, size: taskSize) }
        let predictor = Predictor(forest: forest, volume: session.volume)
        var best: (task: AnnotationTask, score: Float)?
        for _ in 0..<8 {
            let candidate = session.tasks.randomPatch(axis: axis, size: taskSize)
            let u = try predictor.predict(candidate.box(in: shape)).uncertainty.elements
            let score = u.reduce(0, +) / Float(max(1, u.count))
            if best == nil || score > best!.score { best = (candidate, score) }
        }
        return best!.task
    }

    /// The project's classes as the screen draws them.
    public func classStyles() throws -> [ClassStyle] {
        try session.project.classes().map { ClassStyle(id: $0.id, name: $0.name, color: RGB(hex: $0.color) ?? RGB(grey: 160)) }
    }
}

extension EffectRunner {
    /// Applies `message` and performs every effect it causes (and theirs) until nothing is left;
    /// returns the effects that the caller handles itself (`.quit`, `.redraw`).
    public func dispatch(_ message: Message, to state: inout AppState) -> [Effect] {
        var queue = [message]
        var forCaller: [Effect] = []
        while !queue.isEmpty {
            for effect in App.update(&state, queue.removeFirst()) {
                if effect == .quit || effect == .redraw { forCaller.append(effect) }
                queue += perform(effect, state: state)
            }
        }
        return forCaller
    }
}

extension ModelSummary {
    /// What the screen shows of a saved model.
    public init(_ record: ModelRecord) {
        let scores = record.metrics.map { m in
            // A class with no held-out voxel was not scored: no entry, rather than an F1 of 0.
            m.perClass.filter { $0.value.support > 0 }
                .mapValues { ClassScores(precision: $0.precision, recall: $0.recall, f1: $0.f1, jaccard: $0.jaccard, accuracy: $0.accuracy) }
        }
        self.init(id: record.id, scores: scores, accuracy: record.metrics?.overallAccuracy,
                  oobError: record.oobError, trainingVoxels: record.trainingVoxels, seconds: record.trainingSeconds,
                  recipe: record.recipe)
    }
}

extension JobStatus {
    /// A segmentation's progress as the queue shows it.
    init(id: Int, title: String, progress p: SegmentationProgress, state: State) {
        self.init(id: id, title: title, done: p.blocksDone, total: p.blocksTotal, rate: p.voxelsPerSecond,
                  secondsRemaining: p.secondsRemaining, state: state)
    }
}

extension Prediction {
    /// The screen's copy of a preview.
    public init(_ preview: Preview) {
        let p = preview.probabilities
        self.init(axis: preview.request.axis, index: preview.request.index, rows: preview.request.rows,
                  columns: preview.request.columns, modelID: preview.modelID, classIDs: p.classes.map { Int($0.id) },
                  labels: p.labels.elements, probabilities: p.values, uncertainty: p.uncertainty.elements)
    }
}

/// A flag one thread sets and another polls.
final class CancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// Messages posted from background threads for the UI thread. Progress replaces older progress,
/// so a slow screen never falls behind a fast trainer.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Message] = []
    private let wake: @Sendable () -> Void

    init(wake: @escaping @Sendable () -> Void) { self.wake = wake }

    func post(_ message: Message, replacingProgress: Bool = false) {
        lock.lock()
        if replacingProgress {
            switch (message, messages.last) {
            case (.trainingProgress, .trainingProgress?): messages.removeLast()
            case (.jobUpdated(let new), .jobUpdated(let old)?) where new.id == old.id: messages.removeLast()
            case (.identify(.specimenProgress), .identify(.specimenProgress)?): messages.removeLast()
            default: break
            }
        }
        messages.append(message)
        lock.unlock()
        wake()
    }

    func drain() -> [Message] {
        lock.lock()
        defer { lock.unlock() }
        let out = messages
        messages = []
        return out
    }
}
