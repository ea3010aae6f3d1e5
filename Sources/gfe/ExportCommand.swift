import ArgumentParser
import GFECore
import GFEExperiments

/// `gfe export SPEC --mlflow DIR`: the stored runs as an MLflow file store (`MLflowExport`).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export an experiment's stored runs to an MLflow file store (browse with mlflow ui).",
        discussion: """
            One MLflow experiment per spec, one MLflow run per finished or failed run (named by its label, \
            under its gfe run id): params = the resolved configuration's fields, metrics = every curve by \
            iteration plus the checkpoint metrics, tags = provenance and swept values, artifacts = run.json, \
            curves.csv and run.h5. Exporting again replaces those runs. Browse with \
            MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri DIR (MLflow 3 asks for the variable to \
            read a file store). Give the same --set and --seeds as to `gfe run`.
            """)

    @OptionGroup var experiment: ExperimentArguments

    @Option(help: "The MLflow file store folder to write (created if missing; other experiments in it are kept).")
    var mlflow: String

    func run() throws {
        let session = try experiment.open()
        let (runs, id) = try MLflowExport(plan: session.plan, store: session.store, root: mlflow).write()
        say(
            "exported \(runs) run\(runs == 1 ? "" : "s") of \(session.plan.name) to \(mlflow) (MLflow experiment "
                + "\(id)); browse: MLFLOW_ALLOW_FILE_STORE=true mlflow ui --backend-store-uri \(mlflow)")
    }
}
