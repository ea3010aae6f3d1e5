import GFECore

/// The decoder loss is what the encoders minimise: `DecoderObjective` already has the shape of
/// `LatentObjective` (one forward and one backward pass per call, rows independent of each other).
/// Bit-identical rows wherever they sit in the matrix additionally need a single-threaded BLAS and the
/// row alignment of `RowAlignment.blas` (see `RowPacking`).
extension DecoderObjective: LatentObjective {}
