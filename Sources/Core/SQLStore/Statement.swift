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
    case createUploadTask = "create_upload_task"
    case uploadTaskByID = "upload_task_by_id"
    case uploadTasksOfJob = "upload_tasks_of_job"
    case youtubeUploadClaimed = "youtube_upload_claimed"
    case youtubeUploadProgress = "youtube_upload_progress"
    case youtubeUploadFinish = "youtube_upload_finish"
    case youtubeUploadRescued = "youtube_upload_rescued"
    case createPlaylistImport = "create_playlist_import"
    case playlistImportByID = "playlist_import_by_id"
    case playlistImportsOfJob = "playlist_imports_of_job"
    case sunoImportClaimed = "suno_import_claimed"
    case sunoImportProgress = "suno_import_progress"
    case sunoImportFinish = "suno_import_finish"
    case sunoImportRescued = "suno_import_rescued"
    case deploymentValue = "deployment_value"
    case recordDeploymentValue = "record_deployment_value"
    case forgetDeploymentValue = "forget_deployment_value"

    /// The statement that reads a claimed task's details, per kind.
    static func claimed(_ kind: TaskKind) -> Statement {
        switch kind {
        case .render: .renderClaimed
        case .youtubeUpload: .youtubeUploadClaimed
        case .sunoImport: .sunoImportClaimed
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
