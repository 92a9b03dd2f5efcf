/// The SQLSTATEs rehearse acts on, named once (PostgreSQL's errcodes.txt), so code matches
/// an error by name, never by a string literal.
public enum SQLState {
    public static let activeSQLTransaction = "25001"
    public static let insufficientPrivilege = "42501"
    public static let duplicateTable = "42P07"
    public static let duplicateColumn = "42701"
    public static let duplicateObject = "42710"
    public static let undefinedTable = "42P01"
    public static let undefinedColumn = "42703"
    public static let undefinedObject = "42704"
    public static let syntaxError = "42601"
    public static let deadlockDetected = "40P01"
    public static let lockNotAvailable = "55P03"
    public static let queryCanceled = "57014"
    public static let diskFull = "53100"
}
