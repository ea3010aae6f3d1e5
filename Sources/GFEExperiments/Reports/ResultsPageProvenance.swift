import Foundation
import GFECore

/// The stored runs of an experiment as a collapsible list for the report page: per run its id, status, label,
/// seed, code version and dirty flag, data fingerprint, machine and times, from each `<run id>/run.json`.
///
/// Raw runs are not committed, so on a fresh clone an experiment has none: the page then says where the
/// provenance is (the table's header comment and the commit that holds it) instead.
struct ResultsPageProvenance {
    var store: RunStore

    /// The run folders (`<12 hex digits>/`, linked ones too) and what reading each run.json gave.
    func runs() -> [(id: String, record: Result<RunRecord, Error>, linkedFrom: String?)] {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: store.folder)) ?? []).filter {
            $0.count == 12 && $0.allSatisfy { $0.isHexDigit && !$0.isUppercase }
        }.sorted()
        return names.compactMap { id in
            guard fm.fileExists(atPath: store.recordPath(id)) else { return nil }
            let link = (try? fm.destinationOfSymbolicLink(atPath: store.runFolder(id))).map {
                ($0 as NSString).deletingLastPathComponent.split(separator: "/").last.map(String.init) ?? $0
            }
            return (id, Result { try RunRecord.read(store.recordPath(id)) }, link)
        }
    }

    /// - Parameters:
    ///   - tableComments: the comment lines of the experiment's first table (what it was made from).
    ///   - hasFigureIndex: whether figures/index.md lists the runs the figures were drawn from.
    func html(tableComments: [String], hasFigureIndex: Bool) -> String {
        let runs = runs()
        guard !runs.isEmpty else {
            var sources: [String] = []
            if let comment = tableComments.first {
                sources.append("the table's header comment (“\(HTMLText.escape(comment))”)")
            }
            if hasFigureIndex { sources.append("figures/index.md (the runs the figures were drawn from)") }
            sources.append("the git commit that holds these files")
            return
                "<p class=\"note provenance\">Provenance: no run folders are stored here (raw runs are not committed); "
                + "it is in " + sources.dropLast().joined(separator: ", ") + " and " + sources.last! + ". "
                + "Reproducing the experiment stores every run's "
                + "run.json (code version, data checksums, machine) under "
                + "<code>\(HTMLText.escape(store.experiment))/&lt;run id&gt;/</code>.</p>"
        }
        let records = runs.compactMap { try? $0.record.get() }
        let finished = records.filter { $0.status == .finished }.count
        let versions = Array(Set(records.map { Self.shortCode($0.code) })).sorted()
        let dirty = records.contains { $0.code.gitDirty == true }
        var summary =
            "Provenance: \(runs.count) stored run\(runs.count == 1 ? "" : "s") (\(finished) finished"
            + (records.count - finished > 0 ? ", \(records.count - finished) failed" : "")
            + (records.count < runs.count ? ", \(runs.count - records.count) unreadable" : "") + "); code "
            + versions.joined(separator: ", ") + (dirty ? "; some from a dirty tree" : "")
        if versions.count > 1 { summary += " (runs of several commits: the table uses its spec's plan)" }
        var out = "<details class=\"provenance\"><summary>\(HTMLText.escape(summary))</summary>"
        out += "<div class=\"scroll\"><table class=\"runs\"><thead><tr>"
        for h in ["run", "status", "label", "seed", "code", "dirty", "data", "machine", "ended", "wall s"] {
            out += "<th>\(h)</th>"
        }
        out += "</tr></thead><tbody>"
        for run in runs {
            let id =
                HTMLText.escape(run.id)
                + (run.linkedFrom.map { " <span class=\"unit\">(of \(HTMLText.escape($0)))</span>" } ?? "")
            switch run.record {
            case .failure(let error):
                out +=
                    "<tr><td><code>\(id)</code></td><td colspan=\"9\">unreadable run.json: "
                    + HTMLText.escape(ResultsPageTable.message(error)) + "</td></tr>"
            case .success(let r):
                let status = r.status == .finished ? "finished" : (r.diverged ? "diverged" : "failed")
                let seed = r.config.objectValue?["seed"].map(\.shortText) ?? ""
                let machine = [
                    r.provenance["cpu"]?.stringValue, r.provenance["kernel"]?.stringValue,
                    r.provenance["cores"]?.intValue.map { "\($0) cores" }, r.provenance["host"]?.stringValue
                ].compactMap { $0 }.joined(separator: ", ")
                let cells: [(String, String?)] = [
                    ("<code>\(id)</code>", nil),
                    (HTMLText.escape(status), r.reason),
                    (HTMLText.escape(r.label), nil),
                    (HTMLText.escape(seed), nil),
                    ("<code>\(HTMLText.escape(Self.shortCode(r.code)))</code>", r.code.id),
                    (r.code.gitDirty.map { $0 ? "dirty" : "clean" } ?? "?", nil),
                    (HTMLText.escape(Self.shortFingerprint(r.dataFingerprint)), r.dataFingerprint),
                    (HTMLText.escape(machine), nil),
                    (HTMLText.escape(r.endTime), nil),
                    (String(format: "%.1f", r.wallSeconds), nil)
                ]
                out += "<tr>"
                for (text, title) in cells {
                    out += "<td\(title.map { " title=\"\(HTMLText.escape($0))\"" } ?? "")>\(text)</td>"
                }
                out += "</tr>"
            }
        }
        return out + "</tbody></table></div></details>"
    }

    /// The code version that is hashed into run ids, short: `git:<40 hex>` → `git 907da3d`; a pinned version
    /// (GFE_CODE_VERSION) as it is.
    static func shortCode(_ code: CodeVersion) -> String {
        guard code.id.hasPrefix("git:") else { return code.id }
        return "git " + code.id.dropFirst(4).prefix(7)
    }

    /// `mnist/split-v1 ba891046… 65a50cbb…`: each checksum cut to 8 digits, spaces so that the cell can wrap.
    static func shortFingerprint(_ fingerprint: String) -> String {
        var parts = fingerprint.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1, let last = parts.popLast() else { return fingerprint }
        let hashes = last.split(separator: ",").map { $0.count > 12 ? $0.prefix(8) + "…" : String($0) }
        return parts.joined(separator: "/") + " " + hashes.joined(separator: " ")
    }
}
