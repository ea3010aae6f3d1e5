import GFECore
import GFETestSupport
import Testing

/// After warm-up the hot path reuses every buffer: the workspace, the caller's loss array and gradient matrix
/// keep their storage addresses across calls at batch 16 and 1024, and a reused workspace gives the same
/// numbers as a fresh one.
struct WorkspaceTests {
    func address<T>(_ a: [T]) -> UnsafeRawPointer? { a.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }

    @Test func hotPathReusesStorage() {
        let arch = Architecture.decoder()
        var objective = DecoderObjective(decoder: MLP<Float>(architecture: arch, seed: 51), maxBatch: 1024)
        let z16 = Fixtures.uniform(16, 20, seed: 52, -2, 2).converted(to: Float.self)
        let z1024 = Fixtures.uniform(1024, 20, seed: 53, -2, 2).converted(to: Float.self)
        let x16: Matrix<Float> = SyntheticDigits(count: 16, seed: 54).images()
        let x1024: Matrix<Float> = SyntheticDigits(count: 1024, seed: 55).images()
        var loss = [Float](repeating: 0, count: 1024)
        var gradient = Matrix<Float>(rows: 1024, cols: 20)

        objective.lossAndGradient(z: z1024, x: x1024, loss: &loss, gradient: &gradient)
        objective.lossAndGradient(z: z16, x: x16, loss: &loss, gradient: &gradient)
        // Copies by value (`map`), so holding them does not make the next write copy-on-write.
        let first16 = (loss[0..<16].map { $0 }, gradient.storage.map { $0 })
        let addresses = (objective.workspaceAddress, address(loss), address(gradient.storage))

        for _ in 0..<3 {
            objective.lossAndGradient(z: z1024, x: x1024, loss: &loss, gradient: &gradient)
            #expect(gradient.rows == 1024)
            objective.lossAndGradient(z: z16, x: x16, loss: &loss, gradient: &gradient)
            #expect(gradient.rows == 16)
            #expect(objective.workspaceAddress == addresses.0, "workspace reallocated")
            #expect(address(loss) == addresses.1, "loss array reallocated")
            #expect(address(gradient.storage) == addresses.2, "gradient storage reallocated")
        }
        #expect(loss[0..<16].map { $0 } == first16.0 && gradient.storage == first16.1)

        // A fresh objective gives bit-identical results (nothing stale leaks between batch sizes).
        var fresh = DecoderObjective(decoder: objective.decoder, maxBatch: 16)
        var freshLoss: [Float] = []
        var freshGradient = Matrix<Float>(rows: 16, cols: 20)
        fresh.lossAndGradient(z: z16, x: x16, loss: &freshLoss, gradient: &freshGradient)
        #expect(freshLoss == first16.0 && freshGradient.storage == first16.1)
    }

    @Test func secondOrderBuffersComeOnceThenStay() {
        let arch = Fixtures.narrow
        var objective = DecoderObjective(decoder: Fixtures.network(arch, seed: 56), maxBatch: 8)
        let z = Fixtures.uniform(8, 3, seed: 57)
        let x = Fixtures.targets(8, 6, seed: 58)
        let v = Fixtures.uniform(8, 3, seed: 59)
        var loss = [Double](repeating: 0, count: 8)
        var g = Matrix<Double>(rows: 8, cols: 3)
        var hv = g
        var mixed = [Double](repeating: 0, count: arch.parameterCount)
        objective.secondOrderProducts(
            z: z, x: x, direction: v, loss: &loss, gradient: &g, hessianProduct: &hv, mixedParameterGradient: &mixed)
        let warm = objective.workspaceAddress
        let first = (hv.storage.map { $0 }, mixed.map { $0 })
        for _ in 0..<3 {
            objective.lossAndGradient(z: z, x: x, loss: &loss, gradient: &g)
            objective.secondOrderProducts(
                z: z, x: x, direction: v, loss: &loss, gradient: &g, hessianProduct: &hv, mixedParameterGradient: &mixed
            )
            #expect(objective.workspaceAddress == warm)
        }
        #expect(hv.storage == first.0 && mixed == first.1)
    }

    /// A batch above maxBatch grows the workspace once and still computes the right numbers.
    @Test func largerBatchGrowsWorkspace() {
        let arch = Fixtures.narrow
        let mlp = Fixtures.network(arch, seed: 60)
        var small = DecoderObjective(decoder: mlp, maxBatch: 2)
        var big = DecoderObjective(decoder: mlp, maxBatch: 10)
        let z = Fixtures.uniform(10, 3, seed: 61)
        let x = Fixtures.targets(10, 6, seed: 62)
        var (l1, l2): ([Double], [Double]) = ([], [])
        var g1 = Matrix<Double>(rows: 10, cols: 3)
        var g2 = g1
        small.lossAndGradient(z: z, x: x, loss: &l1, gradient: &g1)
        big.lossAndGradient(z: z, x: x, loss: &l2, gradient: &g2)
        #expect(small.maxBatch == 10 && l1 == l2 && g1 == g2)
    }

    @Test func mlpForwardBackwardReuseWorkspace() {
        let arch = Architecture.encoder()
        let mlp = MLP<Float>(architecture: arch, seed: 63)
        var ws = MLPWorkspace<Float>(architecture: arch, maxBatch: 16)
        let x: Matrix<Float> = SyntheticDigits(count: 16, seed: 64).images()
        let dy = Fixtures.uniform(16, 20, seed: 65).converted(to: Float.self)
        var dx = Matrix<Float>(rows: 16, cols: 784)
        var out = Matrix<Float>(rows: 16, cols: 20)
        mlp.forward(x, workspace: &ws)
        mlp.backward(outputGradient: dy, workspace: &ws, inputGradient: &dx)
        let addresses = (ws.storageAddress, address(dx.storage), address(out.storage))
        for _ in 0..<3 {
            mlp.forward(x, workspace: &ws)
            ws.copyOutput(into: &out)
            mlp.backward(outputGradient: dy, workspace: &ws, inputGradient: &dx)
        }
        #expect(
            ws.storageAddress == addresses.0 && address(dx.storage) == addresses.1
                && address(out.storage) == addresses.2)
        #expect(out == mlp.forward(x))
    }

    /// An empty batch is valid: nothing to evaluate, a requested θ-gradient comes back zero.
    @Test func emptyBatch() {
        let arch = Fixtures.narrow
        var objective = DecoderObjective(decoder: Fixtures.network(arch, seed: 66), maxBatch: 4)
        var loss: [Double] = []
        var g = Matrix<Double>(rows: 3, cols: 3)
        var pg = [Double](repeating: 7, count: arch.parameterCount)
        let total = objective.lossAndGradients(
            z: Matrix(rows: 0, cols: 3), x: Matrix(rows: 0, cols: 6), loss: &loss,
            gradient: &g, parameterGradient: &pg)
        #expect(total == 0 && g.rows == 0 && pg.allSatisfy { $0 == 0 })
    }

    /// Workspaces shrink and grow with the batch in place: the storage keeps its address, the kept rows their
    /// values, and the rows that come back are zeros (not the values they held before the shrink).
    @Test func resizingKeepsStorageAndZeroesNewRows() {
        var m = Matrix<Float>(rows: 6, cols: 3, storage: (0..<18).map { Float($0 + 1) })
        let before = address(m.storage)
        m.setRows(2)
        #expect(m.rows == 2 && m.storage == [1, 2, 3, 4, 5, 6])
        m.setRows(4)
        #expect(m.rows == 4 && m.storage == [1, 2, 3, 4, 5, 6] + [Float](repeating: 0, count: 6))
        #expect(address(m.storage) == before)
        m.setRows(0)
        #expect(m.count == 0 && m.storage.isEmpty)

        var loss: [Double] = [5, 6, 7]
        loss.setCount(1)
        #expect(loss == [5])
        loss.setCount(3)
        #expect(loss == [5, 0, 0])
        loss.setCount(3)
        #expect(loss == [5, 0, 0])
    }
}
