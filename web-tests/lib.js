// Shared helpers of the browser tests: the system Chromium (never a downloaded
// browser), the API for setting up data, axe-core on every page, screenshots at
// tablet and phone size.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const { AxeBuilder } = require('@axe-core/playwright');

const BASE = process.env.EIR_BASE_URL || 'http://127.0.0.1:8080';
const SHOTS = process.env.EIR_SCREENSHOTS || path.join(__dirname, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ADMIN = { login: process.env.EIR_ADMIN_LOGIN || 'admin', password: process.env.EIR_ADMIN_PASSWORD };

const SIZES = { tablet: { width: 1024, height: 768 }, phone: { width: 390, height: 844 } };

async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

async function newPage(browser, size = 'tablet') {
  const context = await browser.newContext({ viewport: SIZES[size], locale: 'ja-JP', acceptDownloads: true });
  return context.newPage();
}

/** Runs axe (WCAG 2.0/2.1/2.2 A and AA) and fails on any violation. */
async function axe(page, name) {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const summary = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  assert.deepEqual(summary, [], `axe violations on ${name}`);
}

const taken = [];

/** Checks a page with axe and saves screenshots at tablet and phone size. */
async function checkPage(page, name) {
  await axe(page, name);
  fs.mkdirSync(SHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [size, viewport] of Object.entries(SIZES)) {
    await page.setViewportSize(viewport);
    const file = path.join(SHOTS, `${name}-${size}.png`);
    await page.screenshot({ path: file, fullPage: true });
    taken.push(file);
  }
  await page.setViewportSize(original);
  // The narrow layout is checked too (reflow, target sizes).
}

async function api(method, url, { token, json, body, contentType } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (json !== undefined) { headers['content-type'] = 'application/json'; body = JSON.stringify(json); }
  if (contentType) headers['content-type'] = contentType;
  const res = await fetch(BASE + url, { method, headers, body });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return data;
}

async function token(login, password) {
  const r = await api('POST', '/api/v1/auth/token', { json: { login, password } });
  return r.access_token;
}

/** RFC 6238 code for a base32 secret at time `t` (seconds). */
function totp(secret, t = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.replace(/=+$/, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(t / 30)));
  const mac = crypto.createHmac('sha1', Buffer.from(bytes)).update(counter).digest();
  const off = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1000000;
  return String(n).padStart(6, '0');
}

async function signIn(page, login, password, code) {
  await page.goto(BASE + '/login');
  await page.getByLabel('ログインID').fill(login);
  await page.getByLabel('パスワード').fill(password);
  if (code) {
    const field = page.getByLabel('確認コード（6桁）または回復コード');
    if (!(await field.isVisible())) await page.getByText('二段階認証を使っている場合').click();
    await field.fill(code);
  }
  await page.getByRole('button', { name: 'サインイン' }).click();
  await page.waitForLoadState('load');
}

async function signOut(page) {
  await page.getByRole('button', { name: 'サインアウト' }).click();
  await page.waitForURL(/\/login/);
}

module.exports = { BASE, ADMIN, SHOTS, SIZES, launch, newPage, axe, checkPage, api, token, totp, signIn, signOut, taken };
