//! The node's HTTP API as `vm-gov` uses it: the public `GET /governance/…` reads and the
//! admin append to the `Governance` scroll.

use std::time::Duration;

use serde_json::Value as J;

use crate::Fail;

/// The governance scroll.
pub const GOVERNANCE: &str = "Governance";

/// A client of one node.
pub struct Node {
    url: String,
    token: Option<String>,
    http: reqwest::blocking::Client,
}

impl Node {
    /// A client of the node at `url`, appending with the admin `token`.
    pub fn new(url: &str, token: Option<String>) -> Result<Node, Fail> {
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| Fail::usage(format!("HTTP client: {e}")))?;
        Ok(Node {
            url: url.trim_end_matches('/').to_string(),
            token,
            http,
        })
    }

    fn answer(&self, r: reqwest::Result<reqwest::blocking::Response>) -> Result<J, Fail> {
        let r = r.map_err(|e| {
            Fail::usage(format!(
                "cannot reach the node at {}: {e} (is `vm-node serve` running?)",
                self.url
            ))
        })?;
        let status = r.status().as_u16();
        let bytes = r
            .bytes()
            .map_err(|e| Fail::usage(format!("reading the node's answer: {e}")))?;
        let body: J = serde_json::from_slice(&bytes)
            .map_err(|e| Fail::usage(format!("the node's answer is not JSON: {e}")))?;
        if status >= 400 {
            return Err(Fail::node(&body));
        }
        Ok(body)
    }

    /// `GET path` (a public read).
    pub fn get(&self, path: &str) -> Result<J, Fail> {
        self.answer(self.http.get(format!("{}{path}", self.url)).send())
    }

    /// The governance state, with the node's clock (`now`).
    pub fn state(&self) -> Result<J, Fail> {
        self.get("/governance/state")
    }

    /// The constitution in force (or `version`): `{"version", "hash", "document"}`.
    pub fn constitution(&self, version: Option<&str>) -> Result<J, Fail> {
        match version {
            None => self.get("/governance/constitution"),
            Some(v) => self.get(&format!("/governance/constitution?version={v}")),
        }
    }

    /// Governance receipt `index`.
    pub fn receipt(&self, index: u64) -> Result<J, Fail> {
        let r = self.get(&format!("/scrolls/{GOVERNANCE}/receipts/{index}"))?;
        Ok(r["receipt"].clone())
    }

    /// Appends one signed receipt (canonical bytes) to the governance scroll.
    pub fn append(&self, receipt: &[u8]) -> Result<J, Fail> {
        let token = self.token.as_ref().ok_or_else(|| {
            Fail::usage(
                "appending needs the node's admin token: --token-file FILE or VAULTMESH_ADMIN_TOKEN"
                    .to_string(),
            )
        })?;
        self.answer(
            self.http
                .post(format!("{}/admin/scrolls/{GOVERNANCE}/receipts", self.url))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(receipt.to_vec())
                .send(),
        )
    }

    /// Signs a checkpoint of the governance scroll (admin) and returns it.
    pub fn checkpoint(&self) -> Result<J, Fail> {
        let token = self
            .token
            .as_ref()
            .ok_or_else(|| Fail::usage("a checkpoint needs the admin token".to_string()))?;
        let r = self.answer(
            self.http
                .post(format!(
                    "{}/admin/scrolls/{GOVERNANCE}/checkpoints",
                    self.url
                ))
                .bearer_auth(token)
                .send(),
        )?;
        Ok(r["checkpoint"].clone())
    }
}
