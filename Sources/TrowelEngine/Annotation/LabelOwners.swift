import TrowelVolume

/// Who last painted each labelled voxel, rebuilt from the stroke log and kept up to date as edits
/// (this session's and, polled, the others') arrive: the viewer's "painted by bob" and the
/// per-author voxel counts. Sparse, keyed by chunk, so a slice looks only at the chunks it crosses.
struct LabelOwners {
    struct Owner {
        var edit: Int64
        var author: Int32
        var value: UInt8
        /// Who owned the voxel before this edit (-1: nobody), given back when the edit is undone.
        var previous: Int32
    }

    let shape: Shape
    let chunks: Shape
    private(set) var authors: [String] = []
    private var authorIndex: [String: Int32] = [:]
    private var byChunk: [Index3: [Int64: Owner]] = [:]
    /// Labelled voxels whose last painter is each author, by author index then class.
    private(set) var counts: [Int32: [Int: Int]] = [:]

    init(shape: Shape, chunks: Shape) {
        self.shape = shape
        self.chunks = chunks
    }

    mutating func index(of author: String) -> Int32 {
        if let i = authorIndex[author] { return i }
        let i = Int32(authors.count)
        authors.append(author)
        authorIndex[author] = i
        return i
    }

    /// Takes one logged edit into account (edits may arrive out of id order; the newest wins).
    mutating func apply(_ edit: StrokeEdit) {
        guard edit.kind != .import else { return }
        let who = index(of: edit.author)
        for r in edit.voxels {
            let v = shape.voxel(r.index)
            let chunk = Index3(z: v.z / chunks.z, y: v.y / chunks.y, x: v.x / chunks.x)
            let current = byChunk[chunk]?[r.index]
            if let current, current.edit > edit.id { continue }
            if let current, current.value != 0 { counts[current.author, default: [:]][Int(current.value), default: 0] -= 1 }
            let owner: Int32 = edit.kind == .undo ? (current?.previous ?? -1) : who
            let previous: Int32 = edit.kind == .undo ? -1 : (current.map { $0.value == 0 ? -1 : $0.author } ?? -1)
            if r.new == 0 || owner < 0 {
                byChunk[chunk]?[r.index] = nil
            } else {
                byChunk[chunk, default: [:]][r.index] = Owner(edit: edit.id, author: owner, value: r.new, previous: previous)
                counts[owner, default: [:]][Int(r.new), default: 0] += 1
            }
        }
    }

    /// The author who last painted `v`, nil when unlabelled or unknown (imported labels).
    func author(at v: Index3) -> String? {
        let chunk = Index3(z: v.z / chunks.z, y: v.y / chunks.y, x: v.x / chunks.x)
        return byChunk[chunk]?[shape.linear(v)].map { authors[Int($0.author)] }
    }

    /// Labelled voxels per author (by class), authors with none left out.
    var countsByAuthor: [String: [Int: Int]] {
        var out: [String: [Int: Int]] = [:]
        for (a, perClass) in counts {
            let kept = perClass.filter { $0.value > 0 }
            if !kept.isEmpty { out[authors[Int(a)]] = kept }
        }
        return out
    }

    /// For slice `index` across `axis`: the plane (rows × columns) of owner numbers, 0 where the voxel
    /// is unlabelled or painted by `except`, else 1 + the author's position in the returned list.
    func plane(axis: Axis, index: Int, except: String) -> (authors: [String], owners: [UInt8])? {
        let plane = shape.plane(across: axis)
        var owners = [UInt8](repeating: 0, count: plane.rows * plane.columns)
        var names: [String] = [], slot: [Int32: UInt8] = [:]
        let (ra, ca) = axis.planeAxes
        var any = false
        for (chunk, entries) in byChunk where chunk[axis] == index / chunks[axis] {
            for (i, owner) in entries {
                let v = shape.voxel(i)
                guard v[axis] == index, authors[Int(owner.author)] != except else { continue }
                let s: UInt8
                if let known = slot[owner.author] {
                    s = known
                } else {
                    guard names.count < 255 else { continue }
                    names.append(authors[Int(owner.author)])
                    s = UInt8(names.count)
                    slot[owner.author] = s
                }
                owners[v[ra] * plane.columns + v[ca]] = s
                any = true
            }
        }
        return any ? (names, owners) : nil
    }
}
