/// Why taxon identification could not run; one line naming the file and what is wrong.
public enum IdentifyError: Error, Equatable, CustomStringConvertible {
    case catalogue(String, String)
    case tooFewSpecimens(String, [String])
    case oneTaxon(String)
    case noSlices(String)
    case model(String, String)
    case unknownTaxa(String, [String])

    public var description: String {
        switch self {
        case .catalogue(let file, let why): return "\(file): \(why)"
        case .tooFewSpecimens(let file, let taxa):
            return "\(file): taxa with fewer than 3 specimens cannot be split by specimen: \(taxa.joined(separator: ", "))"
        case .oneTaxon(let file): return "\(file): only one taxon; identification needs at least two"
        case .noSlices(let project): return "\(project): no slice with at least 2 % fossil (Otsu foreground)"
        case .model(let file, let why): return "\(file): \(why)"
        case .unknownTaxa(let file, let taxa): return "\(file): taxa the model does not know: \(taxa.joined(separator: ", "))"
        }
    }
}
