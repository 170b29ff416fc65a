/// Which edge a queued collapse is for, and when it was queued, in one 64-bit word.
///
/// The edge is named by a face and the corner it starts at (plus whether the collapse runs
/// against the face's winding) rather than by its two vertex ids, which would need a second word.
/// Faces are relabelled as vertices merge, but only by a collapse that changes one of the edge's
/// vertices, which makes the entry stale anyway; so for a live entry the face still holds the edge.
/// The epoch (how many collapses had been made) replaces the two per-entry vertex stamps: an
/// entry is live when neither vertex has changed since that epoch.
///
/// Layout: face (31 bits) | epoch (30 bits) | corner (2 bits) | reversed (1 bit). A mesh with
/// fewer than 2³¹ faces needs fewer than 2³⁰ collapses, so both fit.
struct CollapseKey {
    private var bits: UInt64

    static let maxFaces = 1 << 31
    static let maxEpoch = UInt32(1 << 30) - 1

    init(face: Int, corner: Int, reversed: Bool, epoch: UInt32) {
        bits = UInt64(face) << 33 | UInt64(epoch) << 3 | UInt64(corner) << 1 | (reversed ? 1 : 0)
    }

    var face: Int { Int(bits >> 33) }
    var epoch: UInt32 { UInt32(truncatingIfNeeded: bits >> 3) & Self.maxEpoch }
    /// The corner (0, 1 or 2) the edge leaves from, following the face's winding.
    var corner: Int { Int(bits >> 1 & 3) }
    /// Whether the collapse keeps the edge's end and merges its start into it (rather than the
    /// other way round).
    var reversed: Bool { bits & 1 != 0 }
}
