import GRDB

/// The migrations of `project.sqlite`, from the first version on. Add a migration; never edit one
/// that has shipped: projects on disk were made with it.
enum ProjectSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: project and classes") { db in
            try db.create(table: "project") { t in
                t.column("id", .integer).primaryKey().check { $0 == 1 }
                t.column("created_at", .datetime).notNull()
                t.column("trowel_version", .text).notNull()
                t.column("source_summary", .text).notNull()
                t.column("dtype", .text).notNull()
                t.column("shape_z", .integer).notNull()
                t.column("shape_y", .integer).notNull()
                t.column("shape_x", .integer).notNull()
                t.column("voxel_z", .double).notNull()
                t.column("voxel_y", .double).notNull()
                t.column("voxel_x", .double).notNull()
                t.column("value_min", .double).notNull()
                t.column("value_max", .double).notNull()
                t.column("value_mean", .double).notNull()
                t.column("value_low", .double).notNull()
                t.column("value_high", .double).notNull()
            }
            try db.create(table: "label_class") { t in
                t.column("id", .integer).primaryKey().check { $0 >= 1 && $0 <= 255 }
                t.column("name", .text).notNull().unique(onConflict: .abort)
                t.column("color", .text).notNull()
            }
        }
        migrator.registerMigration("v2: strokes and tasks") { db in
            try db.create(table: "stroke") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("author", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("axis", .text).notNull()
                t.column("slice", .integer).notNull()
                t.column("value", .integer).notNull()
                t.column("z0", .integer).notNull()
                t.column("y0", .integer).notNull()
                t.column("x0", .integer).notNull()
                t.column("z1", .integer).notNull()
                t.column("y1", .integer).notNull()
                t.column("x1", .integer).notNull()
                t.column("voxels", .integer).notNull()
                t.column("undone", .boolean).notNull().defaults(to: false)
            }
            try db.create(table: "task") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("author", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("axis", .text).notNull()
                t.column("slice", .integer).notNull()
                t.column("row0", .integer).notNull()
                t.column("row1", .integer).notNull()
                t.column("column0", .integer).notNull()
                t.column("column1", .integer).notNull()
                t.column("submitted_at", .datetime)
            }
        }
        migrator.registerMigration("v3: models and proposals") { db in
            // One row per checkpoint in models/<id>.forest; `record` is the JSON of models/<id>.json.
            try db.create(table: "model") { t in
                t.column("id", .text).primaryKey()
                t.column("created_at", .datetime).notNull()
                t.column("training_voxels", .integer).notNull()
                t.column("record", .text).notNull()
            }
            // Regions whose labels the model proposed; accepted ones train but are never scored.
            try db.create(table: "proposal") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("model_id", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("z0", .integer).notNull()
                t.column("y0", .integer).notNull()
                t.column("x0", .integer).notNull()
                t.column("z1", .integer).notNull()
                t.column("y1", .integer).notNull()
                t.column("x1", .integer).notNull()
                t.column("accepted", .boolean).notNull().defaults(to: false)
            }
        }
        migrator.registerMigration("v4: jobs") { db in
            try db.create(table: "job") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("target", .text).notNull()
                t.column("shard", .text).notNull()
                t.column("state", .text).notNull()
                t.column("blocks_done", .integer).notNull().defaults(to: 0)
                t.column("blocks_total", .integer).notNull().defaults(to: 0)
                t.column("voxels", .integer).notNull().defaults(to: 0)
                t.column("started_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("finished_at", .datetime)
                t.column("error", .text)
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
            }
        }
        migrator.registerMigration("v5: SLURM jobs") { db in
            // The SLURM array task a job row ran as (`12_3`), and the arrays `trowel slurm --submit` queued.
            try db.alter(table: "job") { t in t.add(column: "slurm_job", .text) }
            try db.create(table: "slurm_submission") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("slurm_job", .text).notNull()
                t.column("target", .text).notNull()
                t.column("tasks", .integer).notNull()
                t.column("script", .text).notNull()
                t.column("submitted_at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v6: several writers") { db in
            // Which session wrote a stroke ("alice@host:pid:random"); several paint one project at once.
            try db.alter(table: "stroke") { t in t.add(column: "session", .text).notNull().defaults(to: "") }
            // One row per write to labels.zarr (a paint batch, an undo, a redo, an import chunk), logged
            // under the chunks' locks: for every voxel, edit id order is the order it was written.
            // `changes` holds the voxels covered with their old and new labels (VoxelRecord.encode);
            // `committed` is 0 from the moment the row is logged until the chunks are written.
            try db.create(table: "stroke_edit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("stroke_id", .integer).notNull()
                t.column("session", .text).notNull()
                t.column("author", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("kind", .text).notNull()
                t.column("value", .integer).notNull()
                t.column("z0", .integer).notNull()
                t.column("y0", .integer).notNull()
                t.column("x0", .integer).notNull()
                t.column("z1", .integer).notNull()
                t.column("y1", .integer).notNull()
                t.column("x1", .integer).notNull()
                t.column("voxels", .integer).notNull()
                t.column("committed", .boolean).notNull().defaults(to: true)
                t.column("changes", .blob)
            }
            try db.create(index: "stroke_edit_stroke", on: "stroke_edit", columns: ["stroke_id"])
            try db.create(index: "stroke_author", on: "stroke", columns: ["author"])
        }
        migrator.registerMigration("v7: labels chunks the log holds whole") { db in
            // A chunk of labels.zarr that a logged write created (it did not exist before): every label
            // it ever held is in stroke_edit, so the log can rebuild it if its file is lost or corrupt.
            // Chunks written before (older projects, imports logged without voxels) have no row.
            try db.create(table: "label_chunk") { t in
                t.column("z", .integer).notNull()
                t.column("y", .integer).notNull()
                t.column("x", .integer).notNull()
                t.column("first_edit", .integer).notNull()
                t.primaryKey(["z", "y", "x"])
            }
        }
        return migrator
    }
}
