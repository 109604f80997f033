import Barometer

/// A file read by ``ReadStatReader``: the dataset plus what the file says
/// about itself.
public struct ReadStatFile: Sendable {
    /// The format that was read.
    public let format: ReadStatFormat
    /// The data, with labels, value labels, user-missing declarations,
    /// measurement levels and formats. `Dataset.weightVariable`
    /// is the file's weight variable (SPSS `WEIGHT BY`, Stata/SAS frequency
    /// weight) when it declares one.
    public let dataset: Dataset
    /// The file label, if any.
    public let fileLabel: String?
    /// Notes (SPSS document record, Stata `notes`), in file order.
    public let notes: [String]
    /// The format version number ReadStat reports (e.g. 118 for Stata 14–15,
    /// 2 or 3 for SPSS sav/zsav).
    public let formatVersion: Int
    /// The encoding the file declares, if any (e.g. `UTF-8`, `WINDOWS-1251`).
    public let fileEncoding: String?
    /// Labels of Stata/SAS extended missing values, by variable name and tag
    /// (`["q1": ["a": "Don't know"]]`). Numeric codes' labels are in each
    /// variable's `Variable.valueLabels`.
    public let extendedMissingLabels: [String: [Character: String]]
}

extension ReadStatFile {
    /// The dataset with the Stata/SAS extended missing labels attached to
    /// their variables (`Variable/extendedMissingLabels`).
    func labelledDataset(file: String) throws(ReadStatError) -> Dataset {
        var data = dataset
        for (name, labels) in extendedMissingLabels where !labels.isEmpty {
            if var v = data[name] {
                v.extendedMissingLabels = labels
                do { try data.replace(v) } catch { throw .invalidData(file: file, error: error) }
            }
        }
        return data
    }
}
