import Foundation
import Testing
import TrowelVolume
@testable import TrowelEngine

/// What Trowel reads from SLURM's replies, on lines Slurm 22.05 printed on a one-node cluster.
struct SlurmReplyTests {
    @Test func jobStatesFoldIntoTheFewAUserActsOn() {
        #expect(SlurmState(slurm: "PENDING") == .pending)
        #expect(SlurmState(slurm: "COMPLETING") == .running)
        #expect(SlurmState(slurm: "COMPLETED") == .completed)
        #expect(SlurmState(slurm: "OUT_OF_MEMORY") == .failed && SlurmState(slurm: "TIMEOUT") == .failed)
        #expect(SlurmState(slurm: "CANCELLED+") == .cancelled)
        #expect(SlurmState(slurm: "WHATEVER") == .unknown)
        #expect(SlurmState.summary(of: [.completed, .running, .pending]) == .running)
        #expect(SlurmState.summary(of: [.completed, .failed]) == .failed)
        #expect(SlurmState.summary(of: [.completed, .completed]) == .completed)
        #expect(SlurmState.summary(of: []) == .unknown)
    }

    @Test func scontrolRecordsOfAnArray() {
        let pending = "JobId=1 ArrayJobId=1 ArrayTaskId=0-2 JobName=t.sh UserId=root(0) JobState=PENDING Reason=None ExitCode=0:0"
        let split = """
            JobId=1 ArrayJobId=1 ArrayTaskId=2 JobName=t.sh JobState=COMPLETED Reason=None ExitCode=0:0
            JobId=3 ArrayJobId=1 ArrayTaskId=1 JobName=t.sh JobState=RUNNING Reason=None ExitCode=0:0
            JobId=4 ArrayJobId=1 ArrayTaskId=3,5-7%2 JobName=t.sh JobState=PENDING Reason=JobArrayTaskLimit

            """
        #expect(SlurmTaskState.parse(scontrol: pending) == [SlurmTaskState(id: "1_[0-2]", state: .pending)])
        #expect(SlurmTaskState.parse(scontrol: pending).map(\.taskCount) == [3])
        let tasks = SlurmTaskState.parse(scontrol: split)
        #expect(tasks.map(\.id) == ["1_2", "1_1", "1_[3,5-7%2]"])
        #expect(tasks.map(\.state) == [.completed, .running, .pending])
        #expect(tasks.map(\.taskCount) == [1, 1, 4])
        let plain = SlurmTaskState.parse(scontrol: "JobId=9 JobName=x UserId=root(0) JobState=FAILED Reason=NonZeroExitCode")
        #expect(plain == [SlurmTaskState(id: "9", state: .failed)])
        #expect(SlurmCluster.currentTask(["SLURM_ARRAY_JOB_ID": "12", "SLURM_ARRAY_TASK_ID": "3", "SLURM_JOB_ID": "15"]) == "12_3")
        #expect(SlurmCluster.currentTask(["SLURM_JOB_ID": "15"]) == "15" && SlurmCluster.currentTask([:]) == nil)
    }

    @Test func partitionLimitsFromSinfoAndScontrol() throws {
        let sinfo = "debug*|2|4000\nbig|64|256000+\nbig|128|512000\n"
        let debug = try #require(SlurmPartition.parse(sinfo: sinfo, name: nil))
        #expect(debug == SlurmPartition(name: "debug", cpusPerNode: 2, memoryPerNode: ByteCount(4000 << 20)))
        let big = try #require(SlurmPartition.parse(sinfo: sinfo, name: "big"))
        #expect(big.cpusPerNode == 128 && big.memoryPerNode == ByteCount(512000 << 20))
        let capped = try #require(SlurmPartition.parse(sinfo: sinfo, scontrol: "PartitionName=big MaxCPUsPerNode=32 MaxMemPerNode=64000 State=UP",
                                                       name: "big"))
        #expect(capped.cpusPerNode == 32 && capped.memoryPerNode == ByteCount(64000 << 20))
        let unlimited = try #require(SlurmPartition.parse(sinfo: sinfo, scontrol: "MaxCPUsPerNode=UNLIMITED MaxMemPerNode=UNLIMITED",
                                                          name: "big"))
        #expect(unlimited == big)
        #expect(SlurmPartition.parse(sinfo: sinfo, name: "gpu") == nil)

        try debug.check(cpus: 2, memory: ByteCount(4000 << 20))
        #expect(throws: SlurmError.tooManyCPUs(3, partition: "debug", available: 2)) { try debug.check(cpus: 3, memory: ByteCount(1 << 30)) }
        #expect(throws: SlurmError.tooMuchMemory(ByteCount(8 << 30), partition: "debug", available: ByteCount(4000 << 20))) {
            try debug.check(cpus: 1, memory: ByteCount(8 << 30))
        }
    }
}
