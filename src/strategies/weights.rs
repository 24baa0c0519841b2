//! Steps weighted by kind of command, and filtered: for a suite that studies part of the
//! lifecycle (logins and restores only, no erasure), or that wants more of one kind.

use proptest::strategy::Union;

use super::commands::{
    burst_segment, clock_segment, decide_upgrade_act, erase_act, first_access_act,
    fresh_pin_segment, log_in_act, renew_act, request_act, request_upgrade_act, restore_act,
    revoke_act, upgrade_at_sede_act, upgrade_segment,
};
use super::*;
use crate::CommandKind;

/// How often each kind of command comes up in generated steps: a weight per
/// [`CommandKind`], relative to the others; 0 leaves the kind out.
///
/// [`StepWeights::default`] is the mix of [`act`] and [`steps`]. The several-step segments of
/// [`steps`] (a request and its first access, a burst of guesses, the clock run to the
/// deadlines and a renewal, an upgrade and its decision) come up only when every kind they
/// hold has a weight; a single step always can. With every weight 0, every act is a
/// [`Act::Tick`].
///
/// ```
/// use inps_pin::strategies::{StepWeights, steps_where, steps_with};
/// use inps_pin::testing::{Act, Driver};
/// use inps_pin::CommandKind;
/// use proptest::prelude::*;
/// use proptest::test_runner::TestRunner;
///
/// // Logins, restores and the clock only, logins three times as often as by default.
/// let weights = StepWeights::none()
///     .with(CommandKind::RequestPin, 1)
///     .with(CommandKind::FirstAccess, 1)
///     .with(CommandKind::LogIn, 24)
///     .with(CommandKind::Restore, 3)
///     .with(CommandKind::Tick, 4);
/// let mut runner = TestRunner::deterministic();
/// let steps = steps_with(&weights).new_tree(&mut runner).unwrap().current();
/// assert!(steps.iter().all(|step| weights.weight(step.act.kind()) > 0));
///
/// // Or every kind but erasure, and no waits longer than a day.
/// let short = steps_where(&StepWeights::default().without(CommandKind::Erase), |step| {
///     !matches!(step.wait, inps_pin::testing::Wait::Seconds(s) if s > 86_400)
/// });
/// let steps = short.new_tree(&mut runner).unwrap().current();
/// assert!(steps.iter().all(|step| !matches!(step.act, Act::Erase(_))));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StepWeights {
    /// One weight per kind, in the order of [`CommandKind::ALL`].
    weights: Vec<u32>,
}

impl Default for StepWeights {
    /// The mix of [`act`]: logins most, then requests and first accesses, ticks, renewals,
    /// restores and revocations, upgrades, erasure least.
    fn default() -> StepWeights {
        StepWeights::none()
            .with(CommandKind::RequestPin, 5)
            .with(CommandKind::FirstAccess, 5)
            .with(CommandKind::LogIn, 8)
            .with(CommandKind::RenewPin, 3)
            .with(CommandKind::RequestUpgrade, 2)
            .with(CommandKind::DecideUpgrade, 2)
            .with(CommandKind::UpgradeAtSede, 2)
            .with(CommandKind::Restore, 3)
            .with(CommandKind::Revoke, 3)
            .with(CommandKind::Erase, 1)
            .with(CommandKind::Tick, 4)
    }
}

impl StepWeights {
    /// Every weight 0: add the kinds wanted with [`StepWeights::with`].
    #[must_use]
    pub fn none() -> StepWeights {
        StepWeights {
            weights: vec![0; CommandKind::ALL.len()],
        }
    }

    /// These weights with `kind` at `weight` (0 leaves it out).
    #[must_use]
    pub fn with(mut self, kind: CommandKind, weight: u32) -> StepWeights {
        if let Some(slot) = CommandKind::ALL
            .iter()
            .position(|k| *k == kind)
            .and_then(|i| self.weights.get_mut(i))
        {
            *slot = weight;
        }
        self
    }

    /// These weights without `kind`.
    #[must_use]
    pub fn without(self, kind: CommandKind) -> StepWeights {
        self.with(kind, 0)
    }

    /// The weight of `kind`.
    #[must_use]
    pub fn weight(&self, kind: CommandKind) -> u32 {
        CommandKind::ALL
            .iter()
            .position(|k| *k == kind)
            .and_then(|i| self.weights.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// Whether every kind of `kinds` has a weight.
    fn all(&self, kinds: &[CommandKind]) -> bool {
        kinds.iter().all(|kind| self.weight(*kind) > 0)
    }
}

/// A union of weighted options, leaving out those of weight 0; `fallback` when none is left.
fn weighted<T: core::fmt::Debug + 'static>(
    options: Vec<(u32, BoxedStrategy<T>)>,
    fallback: BoxedStrategy<T>,
) -> BoxedStrategy<T> {
    let options: Vec<_> = options.into_iter().filter(|(w, _)| *w > 0).collect();
    if options.is_empty() {
        fallback
    } else {
        Union::new_weighted(options).boxed()
    }
}

/// Acts as [`act`] gives them, each kind weighted by `weights`.
pub fn act_with(weights: &StepWeights) -> BoxedStrategy<Act> {
    use CommandKind as K;
    // Each kind from its own strategy, so that a kind's weight is the only thing that sets
    // how often it comes: the mix inside a kind (right and wrong codes) is `act`'s.
    let options = vec![
        (weights.weight(K::RequestPin), request_act().boxed()),
        (weights.weight(K::FirstAccess), first_access_act().boxed()),
        (weights.weight(K::LogIn), log_in_act().boxed()),
        (weights.weight(K::RenewPin), renew_act().boxed()),
        (
            weights.weight(K::RequestUpgrade),
            request_upgrade_act().boxed(),
        ),
        (
            weights.weight(K::DecideUpgrade),
            decide_upgrade_act().boxed(),
        ),
        (
            weights.weight(K::UpgradeAtSede),
            upgrade_at_sede_act().boxed(),
        ),
        (weights.weight(K::Restore), restore_act().boxed()),
        (weights.weight(K::Revoke), revoke_act().boxed()),
        (weights.weight(K::Erase), erase_act().boxed()),
        (weights.weight(K::Tick), Just(Act::Tick).boxed()),
    ];
    weighted(options, Just(Act::Tick).boxed())
}

/// One step: a wait and an act weighted by `weights`.
pub fn step_with(weights: &StepWeights) -> BoxedStrategy<Step> {
    (wait(), act_with(weights))
        .prop_map(|(wait, act)| Step { wait, act })
        .boxed()
}

/// The segments of [`segment`], with the single steps weighted by `weights` and the
/// several-step segments only where `weights` has every kind they hold.
pub fn segment_with(weights: &StepWeights) -> BoxedStrategy<Vec<Step>> {
    use CommandKind as K;
    let single = step_with(weights).prop_map(|step| vec![step]).boxed();
    let options = vec![
        (16, single.clone()),
        (
            if weights.all(&[K::RequestPin, K::FirstAccess]) {
                3
            } else {
                0
            },
            fresh_pin_segment().boxed(),
        ),
        (
            if weights.all(&[K::LogIn]) { 2 } else { 0 },
            burst_segment().boxed(),
        ),
        (
            if weights.all(&[K::Tick, K::RenewPin]) {
                3
            } else {
                0
            },
            clock_segment().boxed(),
        ),
        (
            if weights.all(&[K::RequestUpgrade, K::DecideUpgrade]) {
                2
            } else {
                0
            },
            upgrade_segment().boxed(),
        ),
    ];
    weighted(options, single)
}

/// Timed sequences of 1 to about 100 steps, as [`steps`], weighted by `weights`.
pub fn steps_with(weights: &StepWeights) -> BoxedStrategy<Vec<Step>> {
    vec(segment_with(weights), 1..40)
        .prop_map(|segments| segments.into_iter().flatten().collect())
        .boxed()
}

/// [`steps_with`], keeping only the steps `keep` accepts. Steps are dropped, never redrawn,
/// so no case is rejected; a sequence may come out shorter, or empty.
pub fn steps_where(
    weights: &StepWeights,
    keep: impl Fn(&Step) -> bool + 'static,
) -> BoxedStrategy<Vec<Step>> {
    steps_with(weights)
        .prop_map(move |steps| steps.into_iter().filter(|step| keep(step)).collect())
        .boxed()
}
