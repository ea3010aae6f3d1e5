import GFECore

/// The decoder loss is what the encoders minimise: `DecoderObjective` already has the shape of
/// `LatentObjective` (one forward and one backward pass per call, rows independent of each other).
/// Bit-identical rows wherever they sit in the matrix need the row alignment `RowAlignment.decoder`: 1 with
/// the row-stable kernel (`RowGemm`), otherwise a single-threaded BLAS's period (see `RowPacking`).
extension DecoderObjective: LatentObjective {}
