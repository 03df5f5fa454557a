//! Loop-local storage: per-loop state of the crates built on the loop (the
//! signal handlers of tulip-process, say), created on first use and dropped
//! when the loop closes, so nothing of a closed loop lingers in a
//! thread-local or a static.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

#[derive(Default)]
pub(crate) struct Locals {
    map: RefCell<HashMap<TypeId, Rc<dyn Any>>>,
}

impl Locals {
    /// The loop's value of type `T`, created with `T::default()` on first use.
    pub(crate) fn get<T: Default + 'static>(&self) -> Rc<T> {
        if let Some(v) = self.map.borrow().get(&TypeId::of::<T>()) {
            if let Ok(v) = v.clone().downcast::<T>() {
                return v;
            }
        }
        // Created outside the borrow: `T::default` may use the loop too.
        let value: Rc<dyn Any> = Rc::new(T::default());
        let stored = self.map.borrow_mut().entry(TypeId::of::<T>()).or_insert(value).clone();
        match stored.downcast::<T>() {
            Ok(v) => v,
            Err(_) => unreachable!("values are keyed by their own TypeId"),
        }
    }

    /// Drops every value (outside the borrow: their drops may use the loop).
    pub(crate) fn clear(&self) {
        let all = std::mem::take(&mut *self.map.borrow_mut());
        drop(all);
    }
}
