/// One video build job, as stored.
public struct Job: Sendable {
    public var jobID: Int64
    public var runID: String
    public var runDirectory: String
    public var status: JobStatus
    public var progress: Int
    public var currentStep: String?
    /// The config as stored: JSON text, or nil for SQL NULL. Kept as text and
    /// parsed on use, so that the many reads and writes that never look at the
    /// config do not pay for parsing it.
    public var configText: String?
    public var outputFile: String?
    public var error: String?
    public var createdAt: Timestamp
    public var startedAt: Timestamp?
    public var finishedAt: Timestamp?

    public init(
        jobID: Int64, runID: String, runDirectory: String, status: JobStatus, progress: Int,
        currentStep: String?, configText: String?, outputFile: String?,
        error: String?, createdAt: Timestamp, startedAt: Timestamp?, finishedAt: Timestamp?
    ) {
        self.jobID = jobID
        self.runID = runID
        self.runDirectory = runDirectory
        self.status = status
        self.progress = progress
        self.currentStep = currentStep
        self.configText = configText
        self.outputFile = outputFile
        self.error = error
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }

    /// Nil when the stored config is NULL, JSON `null`, or not a JSON object.
    public var config: JobConfig? {
        get {
            guard let configText, case .object(let values) = JSONValue(jsonText: configText) else { return nil }
            return JobConfig(values)
        }
        set { configText = newValue?.jsonText }
    }

    /// The stored config text when it is neither NULL, `null` nor a JSON object
    /// (only files of the earlier service hold such text); nil otherwise.
    public var unreadableConfig: String? {
        guard let configText, config == nil, JSONValue(jsonText: configText) != .null else { return nil }
        return configText
    }
}

/// Two jobs are equal when their configs hold the same JSON, however the text is
/// spaced or ordered (PostgreSQL's jsonb writes it its own way).
extension Job: Hashable {
    public static func == (lhs: Job, rhs: Job) -> Bool {
        lhs.jobID == rhs.jobID && lhs.runID == rhs.runID && lhs.runDirectory == rhs.runDirectory
            && lhs.status == rhs.status && lhs.progress == rhs.progress && lhs.currentStep == rhs.currentStep
            && lhs.outputFile == rhs.outputFile && lhs.error == rhs.error && lhs.createdAt == rhs.createdAt
            && lhs.startedAt == rhs.startedAt && lhs.finishedAt == rhs.finishedAt
            && (lhs.configText == rhs.configText || lhs.configValue == rhs.configValue)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(jobID)
        hasher.combine(runID)
        hasher.combine(status)
        hasher.combine(createdAt)
    }

    /// The config as JSON, or as its text when it is not JSON; JSON `null` is
    /// no config, as SQL NULL is.
    private var configValue: JSONValue? {
        guard let configText else { return nil }
        let value = JSONValue(jsonText: configText) ?? .string(configText)
        return value == .null ? nil : value
    }
}

extension Job: Encodable {
    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case runID = "run_id"
        case runDirectory = "run_dir"
        case status, progress
        case currentStep = "current_step"
        case config
        case unreadableConfig = "unreadable_config"
        case outputFile = "output_file"
        case error
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    /// Absent values are written as `null`, as the earlier service's job objects had them.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(jobID, forKey: .jobID)
        try container.encode(runID, forKey: .runID)
        try container.encode(runDirectory, forKey: .runDirectory)
        try container.encode(status, forKey: .status)
        try container.encode(progress, forKey: .progress)
        try container.encode(currentStep, forKey: .currentStep)
        try container.encode(config, forKey: .config)
        try container.encodeIfPresent(unreadableConfig, forKey: .unreadableConfig)
        try container.encode(outputFile, forKey: .outputFile)
        try container.encode(error, forKey: .error)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(finishedAt, forKey: .finishedAt)
    }
}

/// What a caller gives to create a job; the store allocates the id and run id.
public struct NewJob: Hashable, Sendable {
    public var config: JobConfig?
    /// The folder that holds every run directory; the job's own is `<runsDirectory>/<run_id>`.
    public var runsDirectory: String
    /// `preparing` (files still to come) or `queued` (created and queued at once).
    public var status: JobStatus

    public init(config: JobConfig?, runsDirectory: String, status: JobStatus = .preparing) {
        self.config = config
        self.runsDirectory = runsDirectory
        self.status = status
    }

    public func validate() throws {
        guard status == .preparing || status == .queued else {
            throw StorageError.invalidInput("a new job is preparing or queued, not \(status.rawValue)")
        }
        try config?.validateStorable()
    }

    /// `runsDirectory` without a trailing slash, so run directories never hold `//`.
    public var runsFolder: String {
        runsDirectory.hasSuffix("/") ? String(runsDirectory.dropLast()) : runsDirectory
    }
}

/// Changes to a job; nil fields stay as they are.
public struct JobUpdate: Hashable, Sendable {
    public var status: JobStatus?
    public var progress: Int?
    public var currentStep: String?
    public var outputFile: String?
    public var error: String?

    public init(
        status: JobStatus? = nil, progress: Int? = nil, currentStep: String? = nil, outputFile: String? = nil,
        error: String? = nil
    ) {
        self.status = status
        self.progress = progress
        self.currentStep = currentStep
        self.outputFile = outputFile
        self.error = error
    }

    /// Checks the values alone, before any job is read.
    public func validateValues() throws {
        if let progress, !(0...100).contains(progress) {
            throw StorageError.invalidInput("progress must be between 0 and 100, not \(progress)")
        }
    }

    /// The statuses this update may start from: not finished, and either the
    /// status it sets or one that may move there.
    public var allowedCurrentStatuses: [JobStatus] {
        JobStatus.allCases.filter { current in
            !current.isFinished && (status == nil || status == current || current.canMove(to: status!))
        }
    }

    /// Checks this update against the job's current status, the way every backend must.
    public func validate(jobID: Int64, current: JobStatus) throws {
        try validateValues()
        if current.isFinished {
            throw StorageError.invalidTransition(
                "job \(jobID) is \(current.rawValue); a finished job cannot change")
        }
        if let status, status != current, !current.canMove(to: status) {
            throw StorageError.invalidTransition(
                "job \(jobID) cannot move from \(current.rawValue) to \(status.rawValue)")
        }
    }
}

/// What a delete or cleanup removed, so the caller can remove the run directory too.
public struct DeletedJob: Hashable, Sendable, Codable {
    public var jobID: Int64
    public var runDirectory: String

    public init(jobID: Int64, runDirectory: String) {
        self.jobID = jobID
        self.runDirectory = runDirectory
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case runDirectory = "run_dir"
    }
}

public struct CleanupResult: Hashable, Sendable, Codable {
    public var jobs: [DeletedJob]
    public var files: Int
    public var uploads: Int

    public init(jobs: [DeletedJob], files: Int, uploads: Int) {
        self.jobs = jobs
        self.files = files
        self.uploads = uploads
    }
}
