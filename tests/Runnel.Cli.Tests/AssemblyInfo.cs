// Every test starts the tool as a process against a silo process on a 2-core machine; classes run one at a time
// so time-outs measure the tool, not the competition for CPU.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
