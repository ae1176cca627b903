// Every test starts real processes (silos, kcat, Node) on a 2-core machine; running test classes in
// parallel would make them compete for CPU and turn time-outs into noise.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
