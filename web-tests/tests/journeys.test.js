// Each role's main journeys, end to end in the system Chromium against a real
// `eir serve`; axe on every page; screenshots of every page at 1024×768 and 390×844.
'use strict';

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { BASE, ADMIN, launch, newPage, checkPage, api, token, totp, signIn, signOut, taken } = require('../lib');

const run = Math.random().toString(36).slice(2, 8);
const PASSWORD = 'correct horse battery staple 42';
const users = {
  cm: `cm-${run}`,
  crew: `crew-${run}`,
};
let browser;
let adminToken;
let cmToken;
const people = {};

function person(family, given, familyKana, givenKana, birth, sex, line, district) {
  return {
    family_name: family, given_name: given, family_name_kana: familyKana, given_name_kana: givenKana,
    birth_date: birth, sex,
    address: { postal_code: '090-0024', line, district_code: district },
    phones: ['0157-23-0000'], living_situation: 'with_spouse', care_level: 'care_2',
    family_doctors: [{ institution: '北見中央クリニック', doctor: '山田 太郎', department: '内科', phone: '0157-24-0000' }],
    emergency_contacts: [{ priority: 1, name: '佐藤 一郎', kana: 'サトウ イチロウ', relationship: '長男', phones: ['090-1111-2222'], notes: '日中は仕事' }],
    medical: { conditions: ['心不全'], medications: ['フロセミド錠20mg 1日1回'], allergies: ['ペニシリン'], devices_and_procedures: ['pacemaker'], notes: '難聴あり' },
    consent: { obtained_on: '2026-04-01', by: 'self' },
  };
}

before(async () => {
  assert.ok(ADMIN.password, 'EIR_ADMIN_PASSWORD must name the first admin\'s password');
  adminToken = await token(ADMIN.login, ADMIN.password);
  await api('PUT', '/api/v1/districts', {
    token: adminToken, contentType: 'text/csv',
    body: 'code,name,population_total,population_65plus\nD01,北見中央,12000,4100\nD02,端野,3000,1200\nD03,留辺蘂,5000,2300\n',
  });
  const office = await api('POST', '/api/v1/organizations', { token: adminToken, json: { name: `北見ケアプラン${run}`, kind: 'care_office', district_code: 'D01' } });
  const fire = await api('POST', '/api/v1/organizations', { token: adminToken, json: { name: `北見消防${run}`, kind: 'fire_department', district_code: 'D01' } });
  await api('POST', '/api/v1/users', { token: adminToken, json: { login: users.cm, password: PASSWORD, role: 'care_manager', organization_id: office.id, display_name: '鈴木 ケアマネ' } });
  await api('POST', '/api/v1/users', { token: adminToken, json: { login: users.crew, password: PASSWORD, role: 'paramedic', organization_id: fire.id, display_name: '高橋 隊員' } });
  cmToken = await token(users.cm, PASSWORD);
  // A household: two 佐藤 at the same address (namesakes by family name), one elsewhere.
  people.hanako = await api('POST', '/api/v1/registrants', { token: cmToken, json: person('佐藤', '花子', 'サトウ', 'ハナコ', '1940-03-02', 'female', `北見市北4条東3丁目${run}`, 'D01') });
  people.namesake = await api('POST', '/api/v1/registrants', { token: cmToken, json: person('佐藤', '花子', 'サトウ', 'ハナコ', '1940-08-20', 'female', `北見市留辺蘂町${run}`, 'D03') });
  people.ichiro = await api('POST', '/api/v1/registrants', { token: cmToken, json: person('佐藤', '一郎', 'サトウ', 'イチロウ', '1938-07-15', 'male', `北見市北4条東3丁目${run}`, 'D01') });
  await api('POST', `/api/v1/registrants/${people.hanako.id}/care-decisions`, {
    token: cmToken,
    json: {
      kind: 'new', discussed_on: '2026-10-01',
      participants: { self: true, family: ['佐藤 一郎（長男）'], family_doctor: true, care_manager: true, visiting_nurse: false, other: [] },
      wishes: { cpr: 'not_wanted', intubation: 'not_wanted', hospital_transport: 'wanted', artificial_nutrition: 'undecided' },
      preferred_place_of_care: 'home', preferred_place_of_death: 'home', shared_with_family: true,
      physician_instructions: '急変時はかかりつけ医に連絡', advance_directive: { exists: true, location: '冷蔵庫の扉の内側' },
      own_words: '最期まで家で過ごしたい', review_due: '2027-10-01',
    },
  });
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  console.log(`screenshots (${taken.length}):\n${taken.join('\n')}`);
});

test('the sign-in page is Japanese, accessible and sent with the security headers', async () => {
  const page = await newPage(browser);
  const res = await page.goto(BASE + '/login');
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  const h = res.headers();
  assert.match(h['content-security-policy'], /script-src 'self'/);
  assert.doesNotMatch(h['content-security-policy'], /unsafe-inline/);
  assert.equal(h['cache-control'], 'no-store');
  assert.equal(h['x-frame-options'], 'DENY');
  await checkPage(page, 'login');
  await page.getByLabel('ログインID').fill(users.crew);
  await page.getByLabel('パスワード').fill('wrong password');
  await page.getByRole('button', { name: 'サインイン' }).click();
  await page.getByText('ログインID、パスワードまたは確認コードが正しくないか').waitFor();
  await checkPage(page, 'login-refused');
  await page.context().close();
});

test('crew: a name and an age list the namesakes apart, open one, report 本人確認', async () => {
  const page = await newPage(browser);
  await signIn(page, users.crew, PASSWORD);
  assert.match(page.url(), /\/crew$/);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'eir_session');
  assert.ok(session.httpOnly, 'session cookie must be HttpOnly');
  assert.equal(session.sameSite, 'Strict');
  assert.equal(await page.evaluate(() => document.cookie), '', 'no cookie readable by scripts');
  await checkPage(page, 'crew-search');
  await page.getByLabel('事案番号').fill(`2026-${run}-1`);
  await page.getByLabel('名前').fill('さとう はなこ');
  await page.getByLabel('年齢（推定可）').fill('86');
  await page.getByRole('button', { name: '検索する' }).click();
  await page.getByRole('heading', { name: /検索結果/ }).waitFor();
  const items = page.locator('.candidates li');
  // Both 佐藤 花子 born in 1940 (more when the server was used before).
  assert.ok(await items.count() >= 2);
  await page.getByRole('link', { name: /佐藤 花子.*留辺蘂/ }).first().waitFor();
  await checkPage(page, 'crew-candidates');
  await page.getByRole('link', { name: /佐藤 花子.*北見中央/ }).first().click();
  await page.getByRole('heading', { name: '佐藤 花子' }).waitFor();
  const wishes = await page.locator('.wishes li').allTextContents();
  assert.deepEqual(wishes.slice(0, 2), ['心肺蘇生を希望しない', '気管挿管を希望しない']);
  await page.getByText('冷蔵庫の扉の内側').waitFor();
  assert.equal(await page.locator('a[href="tel:0157240000"]').count(), 1, 'family doctor tap-to-call');
  assert.equal(await page.locator('a[href="tel:09011112222"]').count(), 1, 'contact tap-to-call');
  await checkPage(page, 'crew-summary');
  await page.getByRole('button', { name: '本人確認' }).click();
  await page.getByText('結果を記録しました。').waitFor();
  assert.equal(await page.getByLabel('事案番号').inputValue(), `2026-${run}-1`);
  await checkPage(page, 'crew-reported');
  await page.context().close();
});

test('crew: kana + era date finds one person and opens the summary at once', async () => {
  const page = await newPage(browser, 'phone');
  await signIn(page, users.crew, PASSWORD);
  await page.getByLabel('事案番号').fill(`2026-${run}-2`);
  await page.getByLabel('名前').fill('さとう はなこ');
  await page.getByLabel('生年月日').fill('昭和15年3月2日');
  await page.getByRole('button', { name: '検索する' }).click();
  await page.getByRole('heading', { name: '佐藤 花子' }).waitFor();
  await page.getByText('心肺蘇生を希望しない').waitFor();
  await page.context().close();
});

test('crew: the card code from the card\'s QR code opens the summary', async () => {
  const page = await newPage(browser, 'phone');
  await signIn(page, users.crew, PASSWORD);
  await page.goto(`${BASE}/crew?card=${encodeURIComponent(people.ichiro.card_code)}`);
  assert.equal(await page.getByLabel('カード番号').inputValue(), people.ichiro.card_code);
  await page.getByLabel('事案番号').fill(`2026-${run}-3`);
  await page.getByRole('button', { name: '検索する' }).click();
  await page.getByRole('heading', { name: '佐藤 一郎' }).waitFor();
  await page.getByText('意思決定の記録はありません。').waitFor();
  await checkPage(page, 'crew-summary-no-decision');
  await page.context().close();
});

test('crew: a search with mistakes keeps what was typed and names the field', async () => {
  const page = await newPage(browser);
  await signIn(page, users.crew, PASSWORD);
  await page.getByLabel('名前').fill('佐藤');
  await page.getByLabel('生年月日').fill('昭和99年13月40日');
  await page.getByRole('button', { name: '検索する' }).click();
  await page.getByText('入力を確認してください。').waitFor();
  assert.equal(await page.getByLabel('名前').inputValue(), '佐藤');
  assert.equal(await page.getByLabel('事案番号').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByLabel('生年月日').getAttribute('aria-invalid'), 'true');
  await checkPage(page, 'crew-search-errors');
  await page.context().close();
});

test('a form without its token is refused, and so is one from another site', async () => {
  const page = await newPage(browser);
  await signIn(page, users.crew, PASSWORD);
  const noToken = await page.request.post(BASE + '/crew/search', { form: { incident_id: 'x', name: '佐藤' } });
  assert.equal(noToken.status(), 403);
  const csrf = await page.locator('input[name=csrf]').first().inputValue();
  const foreign = await page.request.post(BASE + '/crew/search', {
    form: { csrf, incident_id: 'x', name: '佐藤' }, headers: { origin: 'https://evil.example' },
  });
  assert.equal(foreign.status(), 403);
  await page.context().close();
});

test('admin: the dashboard shows its charts with their tables, and downloads CSV', async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN.login, ADMIN.password);
  assert.match(page.url(), /\/admin$/);
  await page.getByRole('heading', { name: '情報ヒット率' }).waitFor();
  assert.equal(await page.locator('figure.chart svg[role=img]').count(), 2);
  for (const id of ['table-month', 'table-coverage', 'table-hit-district', 'table-hit-unit', 'table-decisions', 'table-organizations']) {
    assert.equal(await page.locator(`#${id}`).count(), 1, id);
  }
  assert.ok(await page.locator('#table-month tbody tr').count() >= 1);
  await checkPage(page, 'admin-dashboard');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: '地区別の登録状況をCSVでダウンロード' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^eir-districts-.*\.csv$/);
  const csv = await (await download.createReadStream()).toArray();
  assert.match(Buffer.concat(csv).toString('utf8'), /北見中央/);
  await page.context().close();
});

test('signing out ends the session: the old cookie no longer opens a page', async () => {
  const page = await newPage(browser);
  await signIn(page, users.crew, PASSWORD);
  const cookie = (await page.context().cookies()).find((c) => c.name === 'eir_session');
  await signOut(page);
  await checkPage(page, 'signed-out');
  const res = await fetch(BASE + '/crew', { headers: { cookie: `eir_session=${cookie.value}` }, redirect: 'manual' });
  assert.equal(res.status, 303);
  assert.match(res.headers.get('location'), /^\/login/);
  await page.context().close();
});

test('care manager: register with a mistake fixed, record a decision, reconfirm', async () => {
  const page = await newPage(browser);
  await signIn(page, users.cm, PASSWORD);
  assert.match(page.url(), /\/registrants$/);
  await checkPage(page, 'care-list');
  await page.getByRole('link', { name: '新規登録' }).first().click();
  await page.locator('#family_name').fill('田中');
  await page.locator('#given_name').fill('トメ');
  await page.locator('#family_name_kana').fill('田中');
  await page.locator('#given_name_kana').fill('とめ');
  await page.locator('#birth_date').fill('昭和8年5月5日');
  await page.getByRole('radio', { name: '女性' }).check();
  await page.locator('#address_line').fill(`北見市端野町${run}`);
  await page.locator('#district_code').selectOption('D02');
  await page.locator('#living_situation').selectOption('alone');
  await page.locator('#care_level').selectOption('care_1');
  await page.getByRole('radio', { name: '本人', exact: true }).check();
  await page.getByRole('button', { name: '保存する' }).click();
  await page.getByText('入力を確認してください。').first().waitFor();
  const kana = page.locator('#family_name_kana');
  assert.equal(await kana.getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#family_name_kana-error').textContent(), /ひらがなかカタカナ/);
  assert.equal(await page.locator('#given_name').inputValue(), 'トメ', 'typed values are kept');
  await checkPage(page, 'care-register-error');
  await kana.fill('たなか');
  await page.getByRole('button', { name: '保存する' }).click();
  await page.getByText('保存しました。').waitFor();
  await page.getByRole('heading', { name: '田中 トメ' }).waitFor();
  await page.getByText('タナカ トメ').waitFor();
  await checkPage(page, 'care-record');
  await page.getByRole('link', { name: '意思決定を記録' }).click();
  await page.getByRole('radio', { name: '希望しない' }).first().check();
  for (const name of ['intubation', 'hospital_transport', 'artificial_nutrition']) {
    await page.locator(`input[name=${name}][value=undecided]`).check();
  }
  await page.getByLabel('本人', { exact: true }).check();
  await checkPage(page, 'care-decision-form');
  await page.getByRole('button', { name: '記録する' }).click();
  await page.getByText('意思決定を記録しました。').waitFor();
  await page.getByText('心肺蘇生を希望しない').waitFor();
  await page.getByRole('button', { name: '最新の内容のまま再確認（変更なし）' }).click();
  await page.getByText('再確認（変更なし）（2件目）').waitFor();
  await checkPage(page, 'care-timeline');
  await page.getByRole('link', { name: '閲覧記録' }).click();
  await page.getByRole('heading', { name: /閲覧記録/ }).waitFor();
  await checkPage(page, 'care-access-log');
  await page.context().close();
});

test('care manager: an edit that crosses another keeps what was typed and says so', async () => {
  const first = await newPage(browser);
  const second = await newPage(browser);
  await signIn(first, users.cm, PASSWORD);
  await signIn(second, users.cm, PASSWORD);
  const edit = `${BASE}/registrants/${people.ichiro.id}/edit`;
  await first.goto(edit);
  await second.goto(edit);
  await first.locator('#address_line').fill(`北見市北5条東1丁目${run}`);
  await first.getByRole('button', { name: '保存する' }).click();
  await first.getByText('保存しました。').waitFor();
  await second.locator('#allergies').fill('ペニシリン\nそば');
  await second.getByRole('button', { name: '保存する' }).click();
  await second.getByText('この記録は、あなたが編集している間に他の人が更新しました。').waitFor();
  assert.equal(await second.locator('#allergies').inputValue(), 'ペニシリン\nそば');
  await checkPage(second, 'care-stale-edit');
  await second.getByRole('button', { name: '保存する' }).click();
  await second.getByText('保存しました。').waitFor();
  await first.context().close();
  await second.context().close();
});

test('care manager: another office\'s registrant is a 404 page', async () => {
  const page = await newPage(browser);
  await signIn(page, users.cm, PASSWORD);
  const res = await page.goto(`${BASE}/registrants/00000000-0000-4000-8000-000000000000`);
  assert.equal(res.status(), 404);
  await checkPage(page, 'not-found');
  await page.context().close();
});

test('admin: organizations, users, districts and the audit log', async () => {
  const page = await newPage(browser);
  await signIn(page, ADMIN.login, ADMIN.password);
  for (const [link, name] of [['組織', 'admin-organizations'], ['利用者', 'admin-users'], ['地区', 'admin-districts'], ['監査ログ', 'admin-audit']]) {
    await page.getByRole('navigation', { name: 'メイン' }).getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: link }).waitFor();
    await checkPage(page, name);
  }
  await page.getByLabel('登録者ID').fill(people.hanako.id);
  await page.getByRole('button', { name: '絞り込む' }).click();
  await page.locator('td code', { hasText: 'emergency.read' }).first().waitFor();
  await page.context().close();
});

test('admin: require a second factor for crews; a crew member enrols and signs in with TOTP', async () => {
  const admin = await newPage(browser);
  await signIn(admin, ADMIN.login, ADMIN.password);
  await admin.goto(BASE + '/admin/users');
  const office = await api('GET', '/api/v1/organizations?limit=200', { token: adminToken });
  const fire = office.items.find((o) => o.name === `北見消防${run}`);
  await admin.locator('#login').fill(`crew2-${run}`);
  await admin.locator('#display_name').fill('伊藤 隊員');
  await admin.locator('#new-password').fill(PASSWORD);
  await admin.locator('#role').selectOption('paramedic');
  await admin.locator('#organization_id').selectOption(fire.id);
  await admin.getByRole('button', { name: '追加する' }).click();
  await admin.getByText('利用者を追加しました。').waitFor();
  await admin.getByRole('checkbox', { name: '救急隊' }).check();
  await admin.getByRole('button', { name: '設定を保存' }).click();
  await admin.getByText('二段階認証の設定を保存しました。').waitFor();

  const crew = await newPage(browser, 'phone');
  await signIn(crew, `crew2-${run}`, PASSWORD);
  assert.match(crew.url(), /\/mfa$/);
  await crew.getByText('あなたの役割では二段階認証が必須です。').waitFor();
  await checkPage(crew, 'mfa-required');
  assert.equal((await crew.goto(BASE + '/crew')).url(), BASE + '/mfa', 'nothing else is open before enrolment');
  await crew.getByRole('button', { name: '登録を始める' }).click();
  const secret = (await crew.locator('#totp-secret').textContent()).trim();
  await checkPage(crew, 'mfa-enrol');
  await crew.getByLabel('アプリに表示された6桁の確認コード').fill(totp(secret, Date.now() / 1000 - 30));
  await crew.getByRole('button', { name: '登録する' }).click();
  await crew.locator('#recovery-codes li').first().waitFor();
  await checkPage(crew, 'mfa-recovery-codes');
  await signOut(crew);
  await signIn(crew, `crew2-${run}`, PASSWORD);
  assert.match(crew.url(), /\/login$/);
  await crew.getByText('このアカウントは二段階認証を使っています。').waitFor();
  await checkPage(crew, 'login-second-factor');
  await crew.getByLabel('パスワード').fill(PASSWORD);
  await crew.getByLabel('確認コード（6桁）または回復コード').fill(totp(secret));
  await crew.getByRole('button', { name: 'サインイン' }).click();
  await crew.waitForURL(/\/crew$/);
  await admin.goto(BASE + '/admin/users');
  await admin.getByRole('checkbox', { name: '救急隊' }).uncheck();
  await admin.getByRole('button', { name: '設定を保存' }).click();
  await admin.getByText('二段階認証の設定を保存しました。').waitFor();
  await crew.context().close();
  await admin.context().close();
});
