import TrowelMLKernels

/// `ForestTraversal.predict` compiled for CPUs with AVX2 and FMA (this module is built with
/// `-target-cpu haswell` on x86-64): twice the lanes per instruction in the node tests.
/// Call only where `ForestKernels.avx2` said the CPU has them.
public func predictWithAVX2(_ forest: ForestTraversal, _ x: UnsafePointer<Float>, width: Int, rows: Int,
                            featureCount: Int, into out: UnsafeMutablePointer<Float>) {
    forest.predict(x, width: width, rows: rows, featureCount: featureCount, into: out)
}
