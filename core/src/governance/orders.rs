//! Executive orders and emergencies (docs/SPEC.md §10.4).
//!
//! An order cites an article section (`authority`) that grants its type to its issuer. An
//! emergency (`order_type: emergency`) invokes the powers its section grants
//! (`content.powers_invoked`), until `duration.expires_at` and for at most the constitution's
//! maximum; while in force and `duration.renewable` is not `false`, it may be renewed (a new
//! order with `renews`), at most the allowed number of times, and it ends when revoked (a new
//! order with `revokes`) or lapses at its expiry. The chain dates an order by `issued_at`, so
//! a chain requires it although the record kind does not.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::constitution::{Constitution, Power};
use super::{field, nested, text_at, time_value, within};
use crate::encoding::timestamp::Timestamp;
use crate::error::Error;
use crate::json::{Object, Value};
use crate::record::Failure;

/// What an executive-order receipt does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrderKind {
    /// Issues an order.
    Issue,
    /// Renews the emergency with this `order_id`.
    Renewal(String),
    /// Revokes (ends) the order with this `order_id`.
    Revocation(String),
}

/// An executive-order receipt as the chain established it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Order {
    /// `order_id`.
    pub order_id: String,
    /// `order_type` (`emergency` for emergencies).
    pub order_type: String,
    /// The issuer.
    pub issued_by: String,
    /// The article section cited.
    pub authority: String,
    /// `issued_at`.
    pub issued_at: Timestamp,
    /// `duration.expires_at` as issued.
    pub expires_at: Option<Timestamp>,
    /// Emergency powers invoked (`content.powers_invoked`).
    pub powers: Vec<String>,
    /// `duration.renewable` (absent: renewable).
    pub renewable: bool,
    /// Issue, renewal or revocation.
    pub kind: OrderKind,
    /// For an issued order: the end of its term including renewals (`None`: no expiry).
    pub until: Option<Timestamp>,
    /// For an issued order: how often it was renewed.
    pub renewals: u64,
    /// For an issued order: when it was revoked.
    pub revoked_at: Option<Timestamp>,
    /// For a `parameter_change` order: the parameter (`content.parameter`) and its value
    /// while the order is in force (`content.value`, a non-negative integer).
    pub parameter: Option<(String, u64)>,
    /// Index of the receipt in the chain.
    pub index: usize,
}

impl Order {
    /// Whether this issued order is in force at `t`: issued, not expired (renewals included),
    /// not revoked. Renewal and revocation receipts are never in force themselves.
    pub fn in_force_at(&self, t: Timestamp) -> bool {
        self.kind == OrderKind::Issue
            && self.issued_at <= t
            && self.until.map_or(true, |u| t < u)
            && self.revoked_at.map_or(true, |r| t < r)
    }
}

/// One emergency power in force: the emergency that invokes it and the power.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmergencyPower {
    /// `order_id` of the emergency.
    pub order_id: String,
    /// The power.
    pub power: String,
}

/// The executive orders of a chain, in chain order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Orders {
    pub(crate) list: Vec<Order>,
    by_id: BTreeMap<String, usize>,
}

/// What a section grants an issuer for one order type.
struct Granted {
    /// Orders of this type must carry `duration.expires_at`.
    temporary: bool,
    /// For `parameter_change`: the parameters the section lets the issuer change.
    parameters: Vec<String>,
    /// For emergencies: every power the section grants the issuer.
    emergency_powers: Vec<String>,
}

fn grants_order(
    c: &Constitution,
    section: &str,
    issuer: &str,
    order_type: &str,
) -> Option<Granted> {
    if !c.is_active_party(issuer) {
        return None;
    }
    let mut held = c
        .section(section)?
        .grants
        .iter()
        .filter(|g| g.holders.iter().any(|h| h == issuer));
    if order_type == "emergency" {
        let mut granted: Option<Granted> = None;
        for g in held.filter(|g| g.power == Power::Emergency) {
            let entry = granted.get_or_insert(Granted {
                temporary: true,
                parameters: Vec::new(),
                emergency_powers: Vec::new(),
            });
            entry
                .emergency_powers
                .extend(g.emergency_powers.iter().cloned());
        }
        granted
    } else {
        held.find(|g| {
            g.power == Power::ExecutiveOrder && g.order_types.iter().any(|t| t == order_type)
        })
        .map(|g| Granted {
            temporary: g.temporary,
            parameters: g.parameters.clone(),
            emergency_powers: Vec::new(),
        })
    }
}

const POWERS: &str = "content.powers_invoked";

/// The order type that changes a node parameter the constitution names.
pub const PARAMETER_CHANGE: &str = "parameter_change";

/// `content.parameter` and `content.value` of a `parameter_change` order: the parameter must
/// be one the cited section grants (`AUTHORITY_NOT_GRANTED`), the value a plain non-negative
/// integer.
fn parameter_of(o: &Object<'_>, granted: &Granted) -> Result<(String, u64), Failure> {
    let name = nested(o, "content", "parameter")
        .and_then(Value::as_str)
        .ok_or(Failure::at(Error::MissingField, "content.parameter"))?;
    if !granted.parameters.iter().any(|p| p == name) {
        return Err(Failure::at(Error::AuthorityNotGranted, "content.parameter"));
    }
    let value = nested(o, "content", "value")
        .and_then(Value::as_u64)
        .ok_or(Failure::at(Error::InvalidField, "content.value"))?;
    Ok((name.to_string(), value))
}
const EXPIRES: &str = "duration.expires_at";

fn powers_of(o: &Object<'_>) -> Result<Option<Vec<String>>, Failure> {
    let Some(v) = nested(o, "content", "powers_invoked") else {
        return Ok(None);
    };
    let items = v
        .as_array()
        .ok_or(Failure::at(Error::InvalidField, POWERS))?;
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for item in items {
        let p = item
            .as_str()
            .filter(|p| !p.is_empty())
            .ok_or(Failure::at(Error::InvalidField, POWERS))?;
        if out.iter().any(|q| q == p) {
            return Err(Failure::at(Error::InvalidField, POWERS));
        }
        out.push(p.to_string());
    }
    Ok(Some(out))
}

impl Orders {
    /// The issued order with this id (following a renewal or revocation to the order it names).
    fn root(&self, order_id: &str) -> Option<usize> {
        let i = *self.by_id.get(order_id)?;
        match &self.list.get(i)?.kind {
            OrderKind::Issue => Some(i),
            OrderKind::Renewal(of) | OrderKind::Revocation(of) => {
                self.by_id.get(of.as_str()).copied()
            }
        }
    }

    /// Checks an executive-order receipt `o` dated `t` against constitution `c` and records it.
    pub(crate) fn add(
        &mut self,
        c: &Constitution,
        o: &Object<'_>,
        t: Timestamp,
        index: usize,
    ) -> Result<(), Failure> {
        let order_id = field(o, "order_id")?;
        if self.by_id.contains_key(order_id) {
            return Err(Failure::at(Error::DuplicateId, "order_id"));
        }
        let issued_by = field(o, "issued_by")?;
        let order_type = field(o, "order_type")?;
        let authority = field(o, "authority")?;
        let emergency = order_type == "emergency";
        let expires_at = time_value(nested(o, "duration", "expires_at"), EXPIRES)?;
        let renewable = !matches!(nested(o, "duration", "renewable"), Some(Value::Bool(false)));
        let powers = powers_of(o)?;
        let (renews, revokes) = (text_at(o, "renews"), text_at(o, "revokes"));
        if renews.is_some() && revokes.is_some() {
            return Err(Failure::at(Error::InvalidField, "revokes"));
        }
        let granted = grants_order(c, authority, issued_by, order_type)
            .ok_or(Failure::at(Error::AuthorityNotGranted, "authority"))?;
        let rules = &c.rules;

        let mut order = Order {
            order_id: order_id.to_string(),
            order_type: order_type.to_string(),
            issued_by: issued_by.to_string(),
            authority: authority.to_string(),
            issued_at: t,
            expires_at,
            powers: powers.clone().unwrap_or_default(),
            renewable,
            kind: OrderKind::Issue,
            until: expires_at,
            renewals: 0,
            revoked_at: None,
            parameter: None,
            index,
        };

        if let Some(target) = revokes {
            if powers.is_some() || expires_at.is_some() {
                return Err(Failure::at(Error::InvalidField, "revokes"));
            }
            let root_index = self
                .root(target)
                .ok_or(Failure::at(Error::UnknownOrder, "revokes"))?;
            let root = self
                .list
                .get_mut(root_index)
                .ok_or(Failure::at(Error::UnknownOrder, "revokes"))?;
            if root.order_type != order_type {
                return Err(Failure::at(Error::AuthorityNotGranted, "order_type"));
            }
            if !root.in_force_at(t) {
                return Err(Failure::at(Error::OrderNotInForce, "revokes"));
            }
            root.revoked_at = Some(t);
            order.kind = OrderKind::Revocation(root.order_id.clone());
            order.until = None;
        } else {
            let expires = match (granted.temporary, expires_at) {
                (_, Some(e)) if e <= t => {
                    return Err(Failure::at(Error::OrderExpiryInvalid, EXPIRES))
                }
                (true, None) => return Err(Failure::at(Error::OrderExpiryInvalid, EXPIRES)),
                (_, e) => e,
            };
            if order_type == PARAMETER_CHANGE {
                order.parameter = Some(parameter_of(o, &granted)?);
            }
            if emergency {
                let invoked = powers
                    .as_deref()
                    .filter(|p| !p.is_empty())
                    .ok_or(Failure::at(Error::InvalidField, POWERS))?;
                if !invoked.iter().all(|p| granted.emergency_powers.contains(p)) {
                    return Err(Failure::at(Error::EmergencyPowerNotGranted, POWERS));
                }
                if !expires.is_some_and(|e| within(t, e, rules.max_emergency_seconds)) {
                    return Err(Failure::at(Error::EmergencyTooLong, EXPIRES));
                }
            } else if powers.is_some() || renews.is_some() {
                return Err(Failure::at(
                    Error::InvalidField,
                    if renews.is_some() { "renews" } else { POWERS },
                ));
            }
            if let Some(target) = renews {
                let root_index = self
                    .by_id
                    .get(target)
                    .copied()
                    .ok_or(Failure::at(Error::UnknownOrder, "renews"))?;
                let root = self
                    .list
                    .get_mut(root_index)
                    .ok_or(Failure::at(Error::UnknownOrder, "renews"))?;
                if root.kind != OrderKind::Issue
                    || root.order_type != "emergency"
                    || !root.renewable
                {
                    return Err(Failure::at(Error::RenewalInvalid, "renews"));
                }
                if !root.in_force_at(t) {
                    return Err(Failure::at(Error::OrderNotInForce, "renews"));
                }
                if root.renewals >= rules.max_emergency_renewals {
                    return Err(Failure::at(Error::RenewalLimitExceeded, "renews"));
                }
                if order.powers != root.powers {
                    return Err(Failure::at(Error::RenewalInvalid, POWERS));
                }
                if expires <= root.until {
                    return Err(Failure::at(Error::RenewalInvalid, EXPIRES));
                }
                root.until = expires;
                root.renewals += 1;
                order.kind = OrderKind::Renewal(root.order_id.clone());
                order.until = None;
            }
        }
        self.by_id.insert(order.order_id.clone(), self.list.len());
        self.list.push(order);
        Ok(())
    }
}

/// The emergency powers in force at `t` among `orders`, in chain order of their emergencies.
pub(crate) fn emergency_powers_at(orders: &[Order], t: Timestamp) -> Vec<EmergencyPower> {
    orders
        .iter()
        .filter(|o| o.order_type == "emergency" && o.in_force_at(t))
        .flat_map(|o| {
            o.powers.iter().map(|p| EmergencyPower {
                order_id: o.order_id.clone(),
                power: p.clone(),
            })
        })
        .collect()
}
