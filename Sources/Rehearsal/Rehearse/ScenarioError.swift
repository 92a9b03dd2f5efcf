/// Why a scenario file cannot be used, naming the file, the key and its line.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var key: String?
    public var line: Int?
    public var problem: String

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let key { text += ": key `\(key)`" }
        return text + ": " + problem
    }
}
