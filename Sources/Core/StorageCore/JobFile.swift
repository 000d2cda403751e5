/// One uploaded file of a job. `(jobID, fileType, filename)` is unique.
public struct JobFile: Hashable, Sendable, Codable {
    public var id: Int64
    public var jobID: Int64
    public var fileType: FileType
    public var filename: String
    public var filePath: String
    public var uploadedAt: Timestamp

    public init(id: Int64, jobID: Int64, fileType: FileType, filename: String, filePath: String, uploadedAt: Timestamp)
    {
        self.id = id
        self.jobID = jobID
        self.fileType = fileType
        self.filename = filename
        self.filePath = filePath
        self.uploadedAt = uploadedAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case jobID = "job_id"
        case fileType = "file_type"
        case filename
        case filePath = "file_path"
        case uploadedAt = "uploaded_at"
    }
}

public struct NewJobFile: Hashable, Sendable {
    public var jobID: Int64
    public var fileType: FileType
    public var filename: String
    public var filePath: String

    public init(jobID: Int64, fileType: FileType, filename: String, filePath: String) {
        self.jobID = jobID
        self.fileType = fileType
        self.filename = filename
        self.filePath = filePath
    }

    public func validate() throws {
        if filename.isEmpty { throw StorageError.invalidInput("filename must not be empty") }
        if filePath.isEmpty { throw StorageError.invalidInput("file path must not be empty") }
        // Bytes, not Foundation's `contains(_: String)`: this runs for every file.
        if filename.utf8.contains(0) || filePath.utf8.contains(0) {
            throw StorageError.invalidInput("file names and paths must not contain NUL characters")
        }
    }
}

public struct JobSummary: Hashable, Sendable {
    public var job: Job
    public var fileCounts: FileCounts

    public init(job: Job, fileCounts: FileCounts) {
        self.job = job
        self.fileCounts = fileCounts
    }
}

/// How many files of each type a job has; every type is present, zero included.
public struct FileCounts: Hashable, Sendable, Codable {
    public var videos = 0
    public var music = 0
    public var sounds = 0
    public var quotes = 0

    public init() {}

    public subscript(type: FileType) -> Int {
        get {
            switch type {
            case .videos: videos
            case .music: music
            case .sounds: sounds
            case .quotes: quotes
            }
        }
        set {
            switch type {
            case .videos: videos = newValue
            case .music: music = newValue
            case .sounds: sounds = newValue
            case .quotes: quotes = newValue
            }
        }
    }

    public var total: Int { videos + music + sounds + quotes }
}
