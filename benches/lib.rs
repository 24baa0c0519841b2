//! The benchmarks of `inps-pin` (`cargo bench -p inps-pin-benches`) and the population
//! simulation (`cargo run --release -p inps-pin-benches --example population`). This library
//! is empty: the package exists so that criterion and the simulation's dependencies are
//! compiled only by those who measure, never by someone trying the library.
