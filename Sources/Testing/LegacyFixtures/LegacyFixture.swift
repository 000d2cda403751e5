import CSQLite
import Foundation

/// A database file as the earlier Python service left it: no migration table,
/// naive local timestamps (in America/New_York here), NULL and `null` configs,
/// unicode names, orphan rows of deleted jobs, and a job id handed out twice.
public enum LegacyFixture {
    public static let timeZone = "America/New_York"

    public static let schema = """
        CREATE TABLE jobs (
            job_id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, run_dir TEXT NOT NULL, status TEXT NOT NULL,
            progress INTEGER DEFAULT 0, current_step TEXT, config TEXT, output_file TEXT, error TEXT,
            created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT);
        CREATE INDEX idx_jobs_status ON jobs(status);
        CREATE INDEX idx_jobs_created ON jobs(created_at DESC);
        CREATE TABLE job_files (
            id INTEGER PRIMARY KEY AUTOINCREMENT, job_id INTEGER NOT NULL, file_type TEXT NOT NULL,
            filename TEXT NOT NULL, file_path TEXT NOT NULL, uploaded_at TEXT NOT NULL,
            FOREIGN KEY (job_id) REFERENCES jobs(job_id) ON DELETE CASCADE, UNIQUE(job_id, file_type, filename));
        CREATE INDEX idx_job_files_job ON job_files(job_id);
        CREATE TABLE youtube_uploads (
            id INTEGER PRIMARY KEY AUTOINCREMENT, job_id INTEGER NOT NULL, video_id TEXT NOT NULL,
            video_url TEXT NOT NULL, title TEXT, description TEXT, privacy TEXT, tags TEXT, category TEXT,
            uploaded_at TEXT NOT NULL, FOREIGN KEY (job_id) REFERENCES jobs(job_id) ON DELETE CASCADE);
        CREATE INDEX idx_youtube_job ON youtube_uploads(job_id);
        CREATE TABLE youtube_credentials (
            user_id TEXT PRIMARY KEY, credentials_json TEXT NOT NULL, updated_at TEXT NOT NULL);
        CREATE INDEX idx_youtube_creds_user ON youtube_credentials(user_id);
        """

    public static let rows = """
        INSERT INTO jobs VALUES (1, 'run-1-0a1b2c3d', 'runs/run-1-0a1b2c3d', 'completed', 100, 'Complete',
            '{"duration": 600, "fps": 30, "custom_key": "kept"}', 'runs/run-1-0a1b2c3d/output/video_20250110_101500.mp4',
            NULL, '2025-01-10T10:00:00.123456', '2025-01-10T10:05:00', '2025-01-10T10:15:00.5');
        INSERT INTO jobs VALUES (2, 'run-2-1b2c3d4e', 'runs/run-2-1b2c3d4e', 'failed', 50, 'Mixing audio tracks',
            NULL, NULL, 'ffmpeg exited with status 1', '2025-07-04T09:00:00', '2025-07-04T09:00:30', '2025-07-04T09:01:00');
        INSERT INTO jobs VALUES (3, 'run-3-2c3d4e5f', 'runs/run-3-2c3d4e5f', 'preparing', 0, NULL,
            'null', NULL, NULL, '2025-11-02T01:30:00', NULL, NULL);
        INSERT INTO jobs VALUES (5, 'run-5-bbbbbbbb', 'runs/run-5-bbbbbbbb', 'queued', 0, NULL,
            '{"quote_font": "TenPounds", "title": "Café ☕ 日本"}', NULL, NULL, '2025-03-10T12:00:00', NULL, NULL);
        INSERT INTO jobs VALUES (6, 'run-6-3d4e5f60', 'runs/run-6-3d4e5f60', 'cancelled', 0, NULL,
            '{}', NULL, NULL, '2025-03-12T08:00:00', NULL, NULL);

        INSERT INTO job_files VALUES (1, 1, 'videos', 'clip one.mp4', 'runs/run-1-0a1b2c3d/videos/clip one.mp4', '2025-01-10T10:01:00');
        INSERT INTO job_files VALUES (2, 1, 'music', 'música.mp3', 'runs/run-1-0a1b2c3d/music/música.mp3', '2025-01-10T10:02:00.000001');
        INSERT INTO job_files VALUES (3, 1, 'quotes', '名言.txt', 'runs/run-1-0a1b2c3d/quotes/名言.txt', '2025-01-10T10:03:00');
        INSERT INTO job_files VALUES (4, 4, 'videos', 'orphan.mp4', 'runs/run-4-cccccccc/videos/orphan.mp4', '2025-02-01T10:00:00');
        INSERT INTO job_files VALUES (5, 5, 'videos', 'old.mp4', 'runs/run-5-aaaaaaaa/videos/old.mp4', '2025-03-01T10:00:00');
        INSERT INTO job_files VALUES (6, 5, 'videos', 'new.mp4', 'runs/run-5-bbbbbbbb/videos/new.mp4', '2025-03-10T12:01:00');
        INSERT INTO job_files VALUES (7, 2, 'sounds', 'rain.wav', 'runs/run-2-1b2c3d4e/sounds/rain.wav', '2025-07-04T08:59:00');
        UPDATE sqlite_sequence SET seq = 30 WHERE name = 'job_files';

        INSERT INTO youtube_uploads VALUES (1, 1, 'dQw4w9WgXcQ', 'https://youtube.com/watch?v=dQw4w9WgXcQ', 'My Video',
            'Description', 'private', '["tag1", "tag2"]', '22', '2025-01-10T11:00:00');
        INSERT INTO youtube_uploads VALUES (2, 9, 'orphanVid01', 'https://youtube.com/watch?v=orphanVid01', 'Gone',
            NULL, 'public', '[]', '22', '2025-02-01T10:00:00');

        INSERT INTO youtube_credentials VALUES ('default', '{"token": "legacy-token", "refresh_token": "r"}', '2025-01-10T09:00:00');
        """

    /// Row counts per table as written: jobs, job_files, youtube_uploads, youtube_credentials.
    public static let counts = ["jobs": 5, "job_files": 7, "youtube_uploads": 2, "youtube_credentials": 1]

    /// A large history in the earlier layout: `jobs` jobs with 4 files and one
    /// upload each (about 6 rows a job), naive timestamps, and every 50th job
    /// deleted with its rows left behind as orphans.
    public static func writeLarge(to path: String, jobs: Int) throws {
        try execute(
            schema + """

                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(jobs))
                INSERT INTO jobs SELECT i, printf('run-%d-%08x', i, i * 2654435761 % 4294967296),
                    printf('runs/run-%d-%08x', i, i * 2654435761 % 4294967296), 'completed', 100, 'Complete',
                    printf('{"duration": %d, "fps": 30, "title": "Vidéo n° %d"}', 60 + i % 600, i),
                    printf('runs/run-%d/output/video.mp4', i), NULL,
                    strftime('%Y-%m-%dT%H:%M:%f', '2024-01-01', printf('+%d seconds', i * 60)),
                    strftime('%Y-%m-%dT%H:%M:%S', '2024-01-01', printf('+%d seconds', i * 60 + 5)),
                    strftime('%Y-%m-%dT%H:%M:%S', '2024-01-01', printf('+%d seconds', i * 60 + 50))
                FROM n;
                INSERT INTO job_files (job_id, file_type, filename, file_path, uploaded_at)
                SELECT job_id, t.type, t.type || '-' || job_id || '.bin', run_dir || '/' || t.type || '/' || job_id,
                    strftime('%Y-%m-%dT%H:%M:%S', created_at, '+1 seconds')
                FROM jobs, (SELECT 'videos' AS type UNION ALL SELECT 'music' UNION ALL SELECT 'sounds'
                            UNION ALL SELECT 'quotes') AS t;
                INSERT INTO youtube_uploads (job_id, video_id, video_url, title, description, privacy, tags, category, uploaded_at)
                SELECT job_id, printf('v%010d', job_id), printf('https://youtube.com/watch?v=v%010d', job_id),
                    'Title ' || job_id, 'Line one' || char(10) || 'line two	tab', 'private', '["a", "b"]', '22',
                    strftime('%Y-%m-%dT%H:%M:%S', created_at, '+55 seconds')
                FROM jobs;
                DELETE FROM jobs WHERE job_id % 50 = 0;
                """, on: path)
    }

    /// Writes the fixture to `path`, which must not exist.
    public static func write(to path: String, extraSQL: String = "") throws {
        try execute(schema + "\n" + rows + "\n" + extraSQL, on: path)
    }

    /// Runs SQL on a file with the plain C API, as another program would.
    public static func execute(_ sql: String, on path: String) throws {
        var handle: OpaquePointer?
        guard sqlite3_open(path, &handle) == SQLITE_OK else {
            defer { sqlite3_close(handle) }
            throw FixtureError(message: String(cString: sqlite3_errmsg(handle)))
        }
        defer { sqlite3_close(handle) }
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &message) == SQLITE_OK else {
            defer { sqlite3_free(message) }
            throw FixtureError(message: message.map { String(cString: $0) } ?? "error")
        }
    }

    /// The first column of every row a query returns, as text ("NULL" for NULL).
    public static func query(_ sql: String, on path: String) throws -> [String] {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
            defer { sqlite3_close(handle) }
            throw FixtureError(message: String(cString: sqlite3_errmsg(handle)))
        }
        defer { sqlite3_close(handle) }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else {
            throw FixtureError(message: String(cString: sqlite3_errmsg(handle)))
        }
        defer { sqlite3_finalize(statement) }
        var values: [String] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            values.append(sqlite3_column_text(statement, 0).map { String(cString: $0) } ?? "NULL")
        }
        return values
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
