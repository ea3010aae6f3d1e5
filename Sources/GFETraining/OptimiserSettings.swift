import GFECore
import GFESolvers

/// The optimiser of SPEC §6 and its hyperparameters (PyTorch semantics and names).
///
/// Coded as `{"method": "rmsprop", "lr": 5e-4, "alpha": 0.9, "eps": 1e-6}` or
/// `{"method": "adam", "lr": 5e-4, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}`; absent fields take these
/// defaults (RMSprop is the default method). A field of the other method (`alpha` for Adam) is an error.
public struct OptimiserSettings: Sendable, Equatable, SettingsFields {
    public enum Method: String, SettingsChoice { case rmsprop, adam }

    public var method: Method
    /// lr, the learning rate.
    public var learningRate: Double = 5e-4
    /// RMSprop's α (smoothing of the squared-gradient average).
    public var alpha: Double = 0.9
    /// Adam's β1, β2.
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    /// The denominator's eps: 1e-6 for RMSprop (SPEC §6), 1e-8 for Adam (PyTorch's default).
    public var eps: Double

    public init(method: Method = .rmsprop) {
        self.method = method
        eps = method == .rmsprop ? 1e-6 : 1e-8
    }

    public static var rmsprop: OptimiserSettings { OptimiserSettings(method: .rmsprop) }
    public static var adam: OptimiserSettings { OptimiserSettings(method: .adam) }

    /// A fresh optimiser for `parameterCount` parameters.
    public func make(parameterCount: Int) -> ConfiguredOptimiser {
        switch method {
        case .rmsprop:
            return .rmsprop(RMSprop(parameterCount: parameterCount, learningRate: learningRate, alpha: alpha, eps: eps))
        case .adam:
            return .adam(
                Adam(
                    parameterCount: parameterCount, learningRate: learningRate, beta1: beta1, beta2: beta2,
                    eps: eps))
        }
    }

    public static var settingsName: String { TrainingConfig.messageSubject }

    public static var fields: [SettingsField<OptimiserSettings>] {
        let rmsprop = { (s: OptimiserSettings) in s.method == .rmsprop }
        let adam = { (s: OptimiserSettings) in s.method == .adam }
        return [
            .value("method", \.method), .value("lr", \.learningRate, .positive),
            .value("alpha", \.alpha, .unitInterval, applies: rmsprop),
            .value("beta1", \.beta1, .unitInterval, applies: adam),
            .value("beta2", \.beta2, .unitInterval, applies: adam), .value("eps", \.eps, .positive)
        ]
    }

    /// Only the chosen method's fields are allowed, so `alpha` given to Adam is reported.
    public init(defaultsFor r: SettingsReader) throws {
        self.init(method: try r.choice("method", Method.self) ?? .rmsprop)
    }
}

/// An optimiser of either kind behind one update call. Two optionals rather than an enum payload, so the
/// update mutates the optimiser's buffers in place instead of copying them every step.
public struct ConfiguredOptimiser: Sendable {
    private var rmsprop: RMSprop<Float>?
    private var adam: Adam<Float>?

    public static func rmsprop(_ o: RMSprop<Float>) -> ConfiguredOptimiser {
        ConfiguredOptimiser(rmsprop: o, adam: nil)
    }
    public static func adam(_ o: Adam<Float>) -> ConfiguredOptimiser { ConfiguredOptimiser(rmsprop: nil, adam: o) }

    /// One step: parameters ← parameters − update(gradient) (see `RMSprop` / `Adam`).
    public mutating func update(_ parameters: inout [Float], gradient: [Float]) {
        if rmsprop != nil {
            rmsprop!.update(&parameters, gradient: gradient)
        } else {
            adam!.update(&parameters, gradient: gradient)
        }
    }

    /// The complete state (for checkpoints).
    public var state: OptimiserState<Float> { rmsprop?.state ?? adam!.state }
}
