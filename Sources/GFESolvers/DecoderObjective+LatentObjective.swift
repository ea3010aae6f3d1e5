import GFECore

/// The decoder loss is what the encoders minimise: `DecoderObjective` already has the shape of
/// `LatentObjective` (one forward and one backward pass per call, rows independent of each other).
/// In Float its rows are bit-identical wherever they sit in the matrix (its products run on `RowGemm`).
extension DecoderObjective: LatentObjective {}
