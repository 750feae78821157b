import { ArrowRightOutlined, BookOutlined, CheckCircleFilled, CloseCircleFilled, QuestionCircleFilled } from '@ant-design/icons';
import { Alert, App, Button, Card, Checkbox, Col, Empty, Flex, Grid, Row, Steps, Tag, Typography } from 'antd';
import { isApiError } from '@/api/errors';
import type { OpportunityDetail, PathStage } from '@/api/types';
import { useI18n } from '@/i18n';
import { useSetChecklist } from './hooks';
import { requiredFieldLabel, stageKindLabel, stageName } from './labels';
import { RefusalList, type Refusal } from './StageMover';
import { localName, playbookFor, requiredFieldMet, sortStages, type UnmetGate } from './stages';

export type FixSection = 'fields' | 'team' | 'checklist' | 'contacts';

interface Props {
  deal: OpportunityDetail;
  /** The stage whose entry gates are shown (default: the next one). */
  gateStage: PathStage | null;
  onGateStageChange: (code: string) => void;
  hasContact: boolean | null;
  canWrite: boolean;
  onMove: (targetCode: string) => void;
  moving: boolean;
  refusal: Refusal | null;
  onFix: (section: FixSection, gate?: UnmetGate) => void;
  highlightChecklist?: boolean;
}

/** The stages shown on the path: every open stage, then the outcome (won, or lost when lost). */
export function pathSteps(path: readonly PathStage[], status: string): PathStage[] {
  const ordered = sortStages(path);
  const open = ordered.filter((s) => s.kind === 'open');
  const outcome = status === 'lost' ? ordered.find((s) => s.is_current && s.kind === 'lost') : ordered.find((s) => s.kind === 'won');
  return outcome ? [...open, outcome] : open;
}

function GateStatus({ met }: { met: boolean | null }) {
  if (met === null) return <QuestionCircleFilled style={{ color: '#94a3b8' }} />;
  return met ? <CheckCircleFilled style={{ color: '#16a34a' }} /> : <CloseCircleFilled style={{ color: '#dc2626' }} />;
}

/** Stage path, the current stage's playbook, and the entry gates of the stage to move into. */
export function StageWorkbench({ deal, gateStage, onGateStageChange, hasContact, canWrite, onMove, moving, refusal, onFix, highlightChecklist }: Props) {
  const { t, td, locale } = useI18n();
  const { message } = App.useApp();
  const screens = Grid.useBreakpoint();
  const setChecklist = useSetChecklist(deal.id);
  const steps = pathSteps(deal.path, deal.status);
  const current = deal.path.find((s) => s.is_current) ?? null;
  const currentIndex = steps.findIndex((s) => s.is_current);
  const open = deal.status === 'open';
  const playbook = playbookFor(current?.playbook, locale);

  const toggle = (stage: PathStage, code: string, checked: boolean) => {
    const ticked = new Set(stage.checklist_ticked);
    if (checked) ticked.add(code);
    else ticked.delete(code);
    setChecklist.mutate(
      { stage_code: stage.code, items: stage.checklist.map((c) => c.code).filter((c) => ticked.has(c)), version: deal.version },
      { onError: (e) => message.error(isApiError(e) ? e.message : String(e)) },
    );
  };

  const facts = { ...deal, hasContact };
  const requiredRows = (gateStage?.required_fields ?? []).map((field) => ({ field, met: requiredFieldMet(field, facts) }));
  const checklistDone = gateStage ? gateStage.checklist.filter((c) => gateStage.checklist_ticked.includes(c.code)).length : 0;
  const dealRefusal = refusal && refusal.deal.id === deal.id ? refusal : null;

  return (
    <Row gutter={[16, 16]}>
      <Col xs={24}>
        <Card size="small" data-testid="opp-path">
          <div className="opp-steps">
            <Steps
              size="small"
              direction={screens.md ? 'horizontal' : 'vertical'}
              current={currentIndex < 0 ? 0 : currentIndex}
              status={deal.status === 'lost' ? 'error' : deal.status === 'won' ? 'finish' : 'process'}
              onChange={(i) => {
                const step = steps[i];
                if (step && !step.is_current) onGateStageChange(step.code);
              }}
              items={steps.map((s) => ({
                title: <span data-testid="path-step" data-stage-code={s.code}>{stageName(s, locale)}</span>,
                description: s.kind === 'open' ? `${s.probability}%` : stageKindLabel(td, s.kind),
              }))}
            />
          </div>
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card
          size="small"
          data-testid="opp-playbook"
          title={
            <Flex gap={8} align="center">
              <BookOutlined />
              <span>{t('opp.playbook')}</span>
              {current ? <Tag bordered={false} color="blue">{stageName(current, locale)}</Tag> : null}
            </Flex>
          }
        >
          {playbook ? (
            <Typography.Paragraph className="opp-playbook" ellipsis={screens.md ? false : { rows: 6, expandable: true, symbol: t('opp.more') }}>
              {playbook}
            </Typography.Paragraph>
          ) : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('opp.noPlaybook')} />
          )}
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        <Card
          size="small"
          id="opp-section-checklist"
          className={highlightChecklist ? 'opp-section-flash' : undefined}
          data-testid="opp-gates"
          title={
            gateStage ? (
              <Flex gap={8} align="center" wrap="wrap">
                <span>{t('opp.gatesFor', { stage: stageName(gateStage, locale) })}</span>
                <Tag bordered={false}>{gateStage.kind === 'open' ? `${gateStage.probability}%` : stageKindLabel(td, gateStage.kind)}</Tag>
              </Flex>
            ) : (
              t('opp.gatesTitle')
            )
          }
        >
          {dealRefusal ? (
            <Alert
              type="warning"
              showIcon
              closable
              style={{ marginBottom: 12 }}
              data-testid="transition-refusal"
              message={t('opp.refusal.title', { stage: stageName(dealRefusal.target, locale) })}
              description={
                <RefusalList
                  refusal={dealRefusal}
                  onFix={(g) => {
                    const section = g.kind === 'checklist' ? 'checklist' : g.subject.startsWith('members') ? 'team' : g.subject === 'contact' ? 'contacts' : 'fields';
                    if (g.kind === 'checklist') onGateStageChange(dealRefusal.target.code);
                    onFix(section, g);
                  }}
                />
              }
            />
          ) : null}
          {!gateStage ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={open ? t('opp.noNextStage') : t('opp.closedNoGates')} />
          ) : (
            <>
              {requiredRows.length ? (
                <>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('opp.gate.requiredFields')}
                  </Typography.Text>
                  {requiredRows.map((r) => (
                    <div className="opp-gate-row" key={r.field} data-testid="gate-required" data-field={r.field} data-met={String(r.met)}>
                      <Flex gap={8} align="center">
                        <GateStatus met={r.met} />
                        <span>{requiredFieldLabel(td, r.field)}</span>
                      </Flex>
                      {r.met === false && canWrite && open ? (
                        <Button
                          type="link"
                          size="small"
                          onClick={() => onFix(r.field.startsWith('members') ? 'team' : r.field === 'contact' ? 'contacts' : 'fields')}
                        >
                          {r.field.startsWith('members') ? t('opp.gate.fixTeam') : t('opp.gate.fixField')}
                        </Button>
                      ) : null}
                    </div>
                  ))}
                </>
              ) : null}
              {gateStage.checklist.length ? (
                <div style={{ marginTop: requiredRows.length ? 12 : 0 }}>
                  <Flex justify="space-between">
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {t('opp.gate.checklistTitle')}
                    </Typography.Text>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {checklistDone}/{gateStage.checklist.length}
                    </Typography.Text>
                  </Flex>
                  {gateStage.checklist.map((item) => (
                    <div className="opp-gate-row" key={item.code}>
                      <Checkbox
                        checked={gateStage.checklist_ticked.includes(item.code)}
                        disabled={!canWrite || !open || setChecklist.isPending}
                        onChange={(e) => toggle(gateStage, item.code, e.target.checked)}
                        data-testid="checklist-item"
                        data-item-code={item.code}
                      >
                        {localName(item.label, item.label_en, locale)}
                      </Checkbox>
                    </div>
                  ))}
                </div>
              ) : null}
              {gateStage.requires_approval ? (
                <div className="opp-gate-row" style={{ marginTop: 8 }} data-testid="gate-approval">
                  <Flex gap={8} align="center">
                    <GateStatus met={false} />
                    <span>{t('opp.gate.approvalTitle')}</span>
                  </Flex>
                  <Tag color="orange" bordered={false}>
                    {t('opp.gate.approvalPending')}
                  </Tag>
                </div>
              ) : null}
              {!requiredRows.length && !gateStage.checklist.length && !gateStage.requires_approval ? (
                <Typography.Paragraph type="secondary">{t('opp.gate.none')}</Typography.Paragraph>
              ) : null}
              {canWrite && open && !gateStage.is_current ? (
                <Button
                  type="primary"
                  block
                  icon={<ArrowRightOutlined />}
                  style={{ marginTop: 12 }}
                  loading={moving}
                  onClick={() => onMove(gateStage.code)}
                  data-testid="opp-advance"
                >
                  {gateStage.kind === 'won' ? t('opp.closeWon') : t('opp.moveTo', { stage: stageName(gateStage, locale) })}
                </Button>
              ) : null}
            </>
          )}
        </Card>
      </Col>
    </Row>
  );
}
