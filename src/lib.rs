//! ecs-task-doctor: why did this Amazon ECS task fail to start, and what exactly do I change?
//!
//! The library is the whole product; the Lambda (`bootstrap`) and the CLI
//! (`ecs-task-doctor`) are thin shells over [`engine`]. The flow is DESIGN §2:
//!
//! ```text
//! event ─► request ─► collect (AWS I/O only) ─► Facts ─► judge (pure) ─► Report ─► render
//! ```

pub mod arn;
pub mod codes;
pub mod collect;
pub mod engine;
pub mod event;
pub mod facts;
pub mod handler;
pub mod image_ref;
pub mod input;
pub mod judge;
pub mod publish;
pub mod redact;
pub mod render;
pub mod report;
pub mod request;
pub mod snapshot;
pub mod stage;
