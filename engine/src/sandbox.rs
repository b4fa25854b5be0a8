//! The Rhai engine rules run in: no I/O, no `eval`, no modules, bounded work and sizes,
//! and the small standard library of functions a rule set may call.

use rhai::{Array, Dynamic, Engine, EvalAltResult, Position};

use crate::dates;

/// Bounds on what one rule may do. A rule that hits one fails with an error naming it.
pub(crate) mod limits {
    /// Operations per evaluation of one expression (an endless loop stops here, in milliseconds).
    pub const OPERATIONS: u64 = 500_000;
    /// Operations of all the Rhai evaluations of one assessment together: many rules each just
    /// under the limit above would otherwise take seconds (200 of them: 23 s). At ~20 million
    /// arithmetic operations a second, this bounds the Rhai work of an assessment to ~50 ms.
    /// Rules the native evaluator covers (all of KhMAO's) spend none of it.
    pub const ASSESSMENT_OPERATIONS: u64 = 1_000_000;
    /// Depth of nested function calls.
    pub const CALL_LEVELS: usize = 32;
    /// Depth of nested expressions (at compile time), and inside functions.
    pub const EXPR_DEPTH: usize = 64;
    /// Depth of nested expressions inside functions.
    pub const FUNCTION_EXPR_DEPTH: usize = 32;
    /// Length of a string built by a rule.
    pub const STRING_SIZE: usize = 64 * 1024;
    /// Length of an array built by a rule (a family may have up to 10 000 members).
    pub const ARRAY_SIZE: usize = 20_000;
    /// Entries of a map built by a rule.
    pub const MAP_SIZE: usize = 1_000;
    /// Variables alive at once, across nested calls. With the size limits above, this bounds
    /// the memory a rule can hold: 64 × (20 000 × 16 B + 64 KiB + 1 000 entries) ≈ 30 MB.
    pub const VARIABLES: usize = 64;
    /// Functions a rule set may define.
    pub const FUNCTIONS: usize = 256;
}

/// A Rhai engine with the sandbox applied and the rule library registered.
pub(crate) fn new_engine() -> Engine {
    use rhai::packages::{
        BasicArrayPackage, BasicMapPackage, BasicMathPackage, CorePackage, LogicPackage, Package,
    };
    // A curated library rather than Rhai's whole standard one: the language core, comparisons,
    // arithmetic and math, arrays and maps. No blobs, bit fields or clock (`no_time`).
    let mut engine = Engine::new_raw();
    for package in [
        CorePackage::new().as_shared_module(),
        LogicPackage::new().as_shared_module(),
        BasicMathPackage::new().as_shared_module(),
        BasicArrayPackage::new().as_shared_module(),
        BasicMapPackage::new().as_shared_module(),
    ] {
        engine.register_global_module(package);
    }
    engine
        .set_max_operations(limits::OPERATIONS)
        .set_max_call_levels(limits::CALL_LEVELS)
        .set_max_expr_depths(limits::EXPR_DEPTH, limits::FUNCTION_EXPR_DEPTH)
        .set_max_string_size(limits::STRING_SIZE)
        .set_max_array_size(limits::ARRAY_SIZE)
        .set_max_map_size(limits::MAP_SIZE)
        .set_max_variables(limits::VARIABLES)
        .set_max_functions(limits::FUNCTIONS)
        .set_max_modules(0)
        .set_strict_variables(true)
        .set_fail_on_invalid_map_property(false);
    // Rules see only what they are given: no eval, no imports, no output.
    engine.disable_symbol("eval");
    engine.set_module_resolver(rhai::module_resolvers::DummyModuleResolver::new());
    engine.on_progress(budget::spend);
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    register_library(&mut engine);
    engine
}

/// The operations budget of one assessment, kept per thread (an assessment runs on one thread;
/// the engine is shared). Rhai reports each evaluation's running count of operations; a count
/// lower than the last one means a new evaluation has started.
pub(crate) mod budget {
    use std::cell::Cell;

    use rhai::Dynamic;

    use super::limits;

    /// What the token of a stop for the budget says.
    pub const STOPPED: &str = "sopro: assessment operations budget";

    thread_local! {
        /// Operations of the finished evaluations of this assessment, and the running count of
        /// the current one.
        static SPENT: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
    }

    /// Starts the budget of a new assessment on this thread.
    pub fn start() {
        SPENT.with(|spent| spent.set((0, 0)));
    }

    /// Operations spent on this thread since the budget was last started.
    pub fn spent() -> u64 {
        SPENT.with(|spent| {
            let (finished, current) = spent.get();
            finished + current
        })
    }

    /// Rhai's progress callback: stops the evaluation once the assessment's budget is spent.
    pub fn spend(operations: u64) -> Option<Dynamic> {
        SPENT.with(|spent| {
            let (mut finished, current) = spent.get();
            if operations < current {
                finished += current;
            }
            spent.set((finished, operations));
            (finished + operations > limits::ASSESSMENT_OPERATIONS).then(|| Dynamic::from(STOPPED))
        })
    }
}

/// Code the sandbox refuses although Rhai runs it: changing a map or array in place
/// (`m[k] = v`, `m.k = v`, `m.set(k, v)`). Rhai checks the size of what such a statement stores
/// but not of the map it grows, nor the length of keys, so a loop of them fills the memory.
/// Rules read answers and compute values; they never need to change one in place.
/// Returns the diagnostic's message and where in the code it stands.
pub(crate) fn forbidden(ast: &rhai::AST) -> Option<(String, Position)> {
    use rhai::{ASTNode, Expr, Stmt};
    let mut found = None;
    ast.walk(&mut |path: &[ASTNode]| {
        let Some(node) = path.last() else { return true };
        found = match node {
            ASTNode::Stmt(Stmt::Assignment(assignment))
                if matches!(assignment.1.lhs, Expr::Index(..) | Expr::Dot(..)) =>
            {
                Some(("`x[…] = …` or `x.field = …`", node.position()))
            }
            ASTNode::Expr(Expr::MethodCall(call, position) | Expr::FnCall(call, position))
                if call.name == "set" =>
            {
                Some(("`set`", *position))
            }
            _ => None,
        };
        found.is_none()
    });
    found.map(|(how, position)| {
        let message = format!(
            "a rule may not do this: it changes a map or array in place ({how}); build a new value instead"
        );
        (message, position)
    })
}

/// The functions every rule set may call, documented in `rules/README.md`.
fn register_library(engine: &mut Engine) {
    engine.register_fn("age_on", |birth: &str, on: &str| -> Result<i64, Box<EvalAltResult>> {
        dates::age_on(birth, on).ok_or_else(|| bad_date("age_on"))
    });
    engine.register_fn("days_between", |from: &str, to: &str| -> Result<i64, Box<EvalAltResult>> {
        dates::days_between(from, to).ok_or_else(|| bad_date("days_between"))
    });
    engine.register_fn("sum_of", sum_of);
    engine.register_fn("min_of", min_of);
    engine.register_fn("answered", |value: Dynamic| !value.is_unit());
}

/// Sum of a numeric field over records; an unanswered field counts as 0.
fn sum_of(records: Array, field: &str) -> f64 {
    records.iter().filter_map(|record| record.read_lock::<rhai::Map>()?.get(field).map(number)).sum()
}

/// The least answered value of a numeric field over records, or `()` when none is answered.
fn min_of(records: Array, field: &str) -> Dynamic {
    let mut least: Option<Dynamic> = None;
    for record in &records {
        let Some(map) = record.read_lock::<rhai::Map>() else { continue };
        let Some(value) = map.get(field).filter(|v| v.is_int() || v.is_float()) else { continue };
        let smaller = least.as_ref().is_none_or(|l| number(value) < number(l));
        if smaller {
            least = Some(value.clone());
        }
    }
    least.unwrap_or(Dynamic::UNIT)
}

fn number(value: &Dynamic) -> f64 {
    value.as_float().ok().or_else(|| value.as_int().ok().map(|i| i as f64)).unwrap_or(0.0)
}

fn bad_date(function: &str) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(
        format!("{function}: a date is not of the form YYYY-MM-DD").into(),
        Position::NONE,
    )
    .into()
}

/// A Rhai error in plain words, without any value from the answers.
pub(crate) fn describe(error: &EvalAltResult) -> String {
    use EvalAltResult as E;
    match error {
        E::ErrorTooManyOperations(_) => {
            format!("stopped after {} operations: the rule may loop forever", limits::OPERATIONS)
        }
        E::ErrorStackOverflow(_) => {
            format!("calls nest deeper than {} levels (endless recursion?)", limits::CALL_LEVELS)
        }
        E::ErrorDataTooLarge(what, _) => {
            let limit = match what.as_str() {
                "Length of string" => format!("a string longer than {} characters", limits::STRING_SIZE),
                "Size of object map" => format!("maps of more than {} entries in all", limits::MAP_SIZE),
                _ => format!("arrays of more than {} elements in all", limits::ARRAY_SIZE),
            };
            format!("stopped: it builds {limit}")
        }
        E::ErrorTooManyVariables(_) => {
            format!("stopped: more than {} variables alive at once", limits::VARIABLES)
        }
        E::ErrorFunctionNotFound(signature, _) => format!("no function `{signature}`"),
        E::ErrorVariableNotFound(name, _) => format!("unknown variable `{name}`"),
        E::ErrorMismatchOutputType(wanted, got, _) => {
            format!("gives a value of type {got} where {wanted} is needed")
        }
        E::ErrorMismatchDataType(wanted, got, _) => {
            format!("works on a value of type {got} where {wanted} is needed")
        }
        E::ErrorArithmetic(_, _) => "arithmetic error (division by zero or overflow)".to_owned(),
        E::ErrorIndexingType(ty, _) => format!("cannot index a value of type {ty}"),
        E::ErrorArrayBounds(..) | E::ErrorStringBounds(..) => "index out of bounds".to_owned(),
        E::ErrorInFunctionCall(name, _, inner, _) => {
            format!("in function `{name}`: {}", describe(inner))
        }
        E::ErrorTerminated(token, _) if token.clone().into_string().is_ok_and(|t| t == budget::STOPPED) => {
            format!(
                "stopped: the rules of this assessment together took more than {} operations",
                limits::ASSESSMENT_OPERATIONS
            )
        }
        E::ErrorRuntime(..) | E::ErrorTerminated(..) => "the rule raised an error".to_owned(),
        E::ErrorParsing(kind, _) => format!("syntax error: {kind}"),
        _ => "the rule failed at run time".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_loop_is_stopped_at_the_operations_limit() {
        let engine = new_engine();
        budget::start();
        let result = engine.eval::<bool>("loop { } true");
        assert!(matches!(result.map_err(|e| *e), Err(EvalAltResult::ErrorTooManyOperations(_))));
        assert!((1..=500_001).contains(&budget::spent()), "spent {} operations", budget::spent());
    }

    #[test]
    fn eval_is_disabled() {
        let engine = new_engine();
        let result = engine.compile_expression(r#"eval("1")"#);
        assert!(result.as_ref().is_err_and(|e| e.to_string().contains("eval")), "{result:?}");
        assert!(engine.compile_expression(r#"f("1")"#).is_ok(), "a call of another name compiles");
    }
}
