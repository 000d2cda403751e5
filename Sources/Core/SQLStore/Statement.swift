import StorageCore

/// Every statement the store runs, by the name its section has in `sql/`.
/// A dialect must define every case: a missing one fails when the store
/// opens, never at first use.
public enum Statement: String, CaseIterable, Sendable {
    case jobByID = "job_by_id"
    case jobSummary = "job_summary"
    case createJob = "create_job"
    case listJobs = "list_jobs"
    case listJobsAfter = "list_jobs_after"
    case listJobsOfStatus = "list_jobs_of_status"
    case listJobsOfStatusAfter = "list_jobs_of_status_after"
    case updateJob = "update_job"
    case updateJobFields = "update_job_fields"
    case updateConfig = "update_config"
    case deleteJob = "delete_job"
    case jobCounts = "job_counts"
    case queueDepth = "queue_depth"
    case deleteStalePreparingJobs = "delete_stale_preparing_jobs"
    case oldJobs = "old_jobs"
    case oldJobsCounts = "old_jobs_counts"
    case deleteJobs = "delete_jobs"
    case upsertFile = "upsert_file"
    case filesOfJob = "files_of_job"
    case filesOfJobOfType = "files_of_job_of_type"
    case relocateJob = "relocate_job"
    case relocateFile = "relocate_file"
    case deleteFile = "delete_file"
    case fileCounts = "file_counts"
    case lockJobStatus = "lock_job_status"
    case lockJob = "lock_job"
    case videoCount = "video_count"
    case startJob = "start_job"
    case insertUpload = "insert_upload"
    case uploads
    case uploadsOfJob = "uploads_of_job"
    case credentialsOfUser = "credentials_of_user"
    case allCredentials = "all_credentials"
    case saveCredentials = "save_credentials"
    case deleteCredentials = "delete_credentials"
    case claimTask = "claim_task"
    case discardTask = "discard_task"
    case renewTask = "renew_task"
    case expiredTasks = "expired_tasks"
    case rescueTask = "rescue_task"
    case cancelWaitingJob = "cancel_waiting_job"
    case requestCancel = "request_cancel"
    case renderClaimed = "render_claimed"
    case renderProgress = "render_progress"
    case renderFinish = "render_finish"
    case renderRescued = "render_rescued"
    case lostTaskError = "lost_task_error"
    case endJobTasks = "end_job_tasks"
    case deploymentValue = "deployment_value"
    case recordDeploymentValue = "record_deployment_value"
    case forgetDeploymentValue = "forget_deployment_value"
    case recordWorker = "record_worker"
    case forgetWorker = "forget_worker"
    case forgetWorkersBefore = "forget_workers_before"
    case workersSeen = "workers_seen"

}

/// A statement of a kind of task with details, named `<kind>_<part>`: every
/// kind has each part, so a new kind's missing SQL fails at open.
public struct TaskStatement: Hashable, Sendable {
    public enum Part: String, CaseIterable, Sendable {
        case create
        case byID = "by_id"
        case ofJob = "of_job"
        case progress
        case finish
    }

    public var kind: TaskKind
    public var part: Part

    public var name: String { "\(kind.rawValue)_\(part.rawValue)" }

    public static var all: [TaskStatement] {
        TaskKind.allCases.filter(\.hasDetails).flatMap { kind in
            Part.allCases.map { TaskStatement(kind: kind, part: $0) }
        }
    }
}

/// Steps a dialect may have or leave out.
public enum OptionalStatement: String, CaseIterable, Sendable {
    /// The claim and the job's move in one statement (PostgreSQL).
    case claimRender = "claim_render"
    /// Wakes idle workers of other processes (PostgreSQL's NOTIFY).
    case notifyQueued = "notify_queued"
    case forgetReplacedSecrets = "forget_replaced_secrets"
}
