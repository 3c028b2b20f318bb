extension Verifier {
    /// The record numbers (`000001.json` …) in `directory`, sorted; a temp
    /// file is a note, any other name damage. `nil` (and damage) when the
    /// directory cannot be read.
    func recordNumbers(in directory: String, of kind: String, into report: inout VerificationReport) -> [Int]? {
        let names: [String]
        do { names = try FileIO.list(directory) } catch {
            report.damage(directory, "cannot read: \(error)")
            return nil
        }
        for name in names where AnnotationSeries.sequence(ofFile: name) == nil && !name.hasPrefix(FileIO.tempPrefix) {
            report.damage(directory + "/" + name, "unexpected file in \(kind)/")
        }
        return names.compactMap(AnnotationSeries.sequence(ofFile:)).sorted()
    }
}
